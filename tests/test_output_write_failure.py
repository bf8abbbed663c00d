"""A saved frame that cannot be written mid-run (disk full, folder removed) stops the run with one
line, instead of the run going on and saving nothing: OpenCV's imwrite only returns False."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest
from edge_fixtures import model_path

from edge.errors import UserError
from edge.outputs.overlay import Outputs
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier


def test_a_frame_that_cannot_be_saved_mid_run_is_a_user_error_naming_the_flag(tmp_path):
    folder = tmp_path / "frames"
    outputs = Outputs(save_dir=folder, save_video=None, window=False)
    frame = np.full((120, 160, 3), 255, np.uint8)
    frame[40:80, 70:76] = 0  # a stroke, so the reading has something in it
    result = DigitReader(DigitClassifier(model_path())).read(frame, source="cam", index=1)
    outputs.write(frame, result, fps=10.0)
    assert [p.name for p in folder.iterdir()] == ["cam_000001.png"]
    shutil.rmtree(folder)  # the folder goes away while the camera keeps reading
    with pytest.raises(UserError, match=r"^--save-dir: cannot write .*cam_000002\.png"):
        outputs.write(frame, replace(result, frame=2), fps=10.0)
    outputs.close()

