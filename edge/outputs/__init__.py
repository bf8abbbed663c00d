"""Where readings go: the annotated overlay, saved frames and video."""
