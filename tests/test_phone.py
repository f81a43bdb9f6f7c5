"""The book on a phone held upright (390 x 844 CSS pixels, touch): figures and widgets
stay readable and usable (the LeNet widget's own phone checks are in test_lenet_widget)."""

import pytest

from test_browser import ARTEFACTS, PHONE, Visit, browser, site  # noqa: F401 (fixtures)

# Explorer settings: the default, a large padded input, a kernel that does not fit.
EXPLORER_SETTINGS = [{}, {"n": "8", "k": "5", "padding": "same"}, {"n": "3", "k": "5"}]

# The explorer's drawing: the size at which its numbers are drawn (px), and the boxes of
# the drawing and of its three titles.
EXPLORER_DRAWING = """() => {
  const svg = document.querySelector('.course-explorer svg');
  const number = svg.querySelector('text:not(.title)');
  const box = (element) => { const b = element.getBoundingClientRect();
                             return [b.left, b.top, b.right, b.bottom]; };
  return { numberPx: number.getBoundingClientRect().height,
           drawing: box(svg),
           titles: Array.from(svg.querySelectorAll('text.title'), box) };
}"""


@pytest.fixture(scope="module")
def phone_explorer(browser, site):  # noqa: F811
    visit = Visit(browser, f"{site}/book/convolution_by_hand.html", device=PHONE)
    visit.page.wait_for_selector(".course-explorer[data-ready]")
    yield visit
    visit.close()


@pytest.mark.parametrize("settings", EXPLORER_SETTINGS, ids=["default", "large", "no-fit"])
def test_explorer_numbers_stay_readable_and_titles_whole_on_a_phone(phone_explorer, settings):
    page = phone_explorer.page
    root = page.locator(".course-explorer")
    for name, value in settings.items():
        if name == "padding":
            root.locator("select[name=padding]").select_option(value)
        else:
            root.locator(f"input[name={name}]").fill(value)
    root.locator(".course-explorer-canvas").scroll_into_view_if_needed()
    drawing = page.evaluate(EXPLORER_DRAWING)
    # The explorer's numbers are 12 px at full size; a phone may shrink them to 3/4.
    assert drawing["numberPx"] >= 8.5, drawing
    left, top, right, bottom = drawing["drawing"]
    for title in drawing["titles"]:
        assert left - 0.5 <= title[0] and title[2] <= right + 0.5, (title, drawing["drawing"])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(ARTEFACTS / f"explorer-phone-{len(settings)}.png"))
    assert phone_explorer.errors == []


def test_the_padding_animations_stack_at_a_readable_size_on_a_phone(browser, site):  # noqa: F811
    visit = Visit(browser, f"{site}/book/convnets.html", device=PHONE)
    try:
        boxes = [visit.page.locator(f"#fig-padding img >> nth={n}").bounding_box() for n in (0, 1)]
        assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"]  # one under the other
        assert all(box["width"] >= 250 for box in boxes), boxes
    finally:
        visit.close()


def test_no_floating_button_covers_the_page_on_a_phone(browser, site):  # noqa: F811
    """The theme's "Back to top" appears while scrolling up: not on a phone."""
    visit = Visit(browser, f"{site}/book/lenet_digits.html", device=PHONE)
    page = visit.page
    try:
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(300)
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(300)
        assert not page.locator("#pst-back-to-top").is_visible()
    finally:
        visit.close()
