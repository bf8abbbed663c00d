"""The field test: camera-like scenes in handwriting the reader never trained on, with their truth.

`hands` names the held-out fonts, `glyphs` and `strokes` draw single marks with per-glyph jitter,
`sheet` lays them out on paper, `camera` photographs a sheet with the demo's camera imitation,
`scenes` holds one seeded generator per condition, `scoring` compares a reading with the truth.
"""
