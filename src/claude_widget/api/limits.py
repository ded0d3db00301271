"""The Messages and Batches APIs' limits on what a request may carry, written once: the client checks them before
sending, and the fake server refuses past them with the API's words."""

MAX_REQUEST_BYTES = 32 * 1024 * 1024  # a Messages request's body (a PDF's base64 text must fit in it)
MAX_PDF_PAGES = 100  # PDF pages in one request
MAX_IMAGE_SIDE = 8000  # pixels: an image with a longer side is refused
MAX_IMAGE_BASE64_BYTES = 5 * 1024 * 1024  # an image's base64 text
MAX_BATCH_REQUESTS = 100_000  # requests in one message batch
MAX_BATCH_BYTES = 256 * 1024 * 1024  # a message batch's body
