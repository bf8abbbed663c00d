"""Image stages of the reader: ink map, paper lines, blobs and their cuts, crop normalisation, reading order."""
