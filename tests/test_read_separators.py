"""`.`, `,`, `-`, `/`, `=` are marks, never digits: `.` and `,` keep a number whole, the others part it."""

from read_scenes import HANDS, field_crop, page, photo, reader, write


def test_separators_in_a_written_field():
    cases = {"25.441": "25441", "1,250.00": "125000", "123-4567": "123 4567", "12/05/2024": "12 05 2024", "350,-": "350",
             "48=": "48"}
    for text, truth in cases.items():
        for hand in (HANDS[0], HANDS[2]):
            assert reader().read(field_crop(text, 60, hand)).lines == [truth], (text, hand)


def test_separators_on_a_page_line():
    image = page((900, 400))
    write(image, "25.441", 40, 60, 40)
    write(image, "12-34", 40, 200, 40)
    assert reader().read(photo(image)).lines == ["25441", "12 34"]
