"""The kit's own JSON format: the model's plain form, against the documented schema (render/json_format.py)."""

from __future__ import annotations

import json

from render_cases import render, validate

from autograder.result import Result


def test_result_matches_the_schema_and_round_trips(case):
    _name, result = case
    data = json.loads(render("json", result))
    validate("autograder", data)
    assert Result.from_dict(data).to_dict() == data
    assert data["score"] == result.score and data["unjudged"] == result.unjudged
