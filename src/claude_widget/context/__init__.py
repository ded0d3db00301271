"""What goes with a question: attachments (DataFrames, images, figures, files) turned into content blocks."""
