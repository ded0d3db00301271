"""What the user sees: the answer and job widgets, the sync from a stream manager to widget state, the wire
protocol to the view, the saved markdown and headless runs."""
