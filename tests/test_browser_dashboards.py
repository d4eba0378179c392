"""Each section's Panel dashboard, served by `augbench serve` on 127.0.0.1, driven in Debian's chromium:
change a control and check that the summary (and so the computation behind it) changed to the right content,
with no console errors. Screenshots go to test-artifacts/."""
import re

import pytest

from browser import browser, screenshot, serve_section, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _select(page, label: str, value: str):
    page.locator(".bk-input-group", has_text=label).locator("select").first.select_option(value)


def _open(b, url):
    page = b.new_page(viewport={"width": 1400, "height": 1000})
    errors = watch_errors(page)
    page.goto(url)
    return page, errors


def test_grna_guide_designer_and_kinetics():
    from playwright.sync_api import expect

    with serve_section("grna") as (url, _), browser() as b:
        page, errors = _open(b, url)
        summary = page.locator(".augbench-summary").first
        expect(summary).to_contain_text(re.compile(r"\d+ SpCas9 sites .*EMX1"), timeout=60000)
        expect(page.locator(".augbench-guide-table").first).to_be_visible()
        screenshot(page, "dashboard-grna-emx1")
        _select(page, "Locus", "FANCF")            # another real locus -> another site count and record
        expect(summary).to_contain_text(re.compile(r"37 SpCas9 sites \(17 on \+, 20 on .\).*FANC_amplicon"),
                                        timeout=60000)
        _select(page, "Nuclease", "SaCas9")        # nuclease as data: NNGRRT sites
        expect(summary).to_contain_text(re.compile(r"\d+ SaCas9 sites"), timeout=60000)
        screenshot(page, "dashboard-grna-fancf-sacas9")

        page.locator(".bk-tab", has_text="Cas9 kinetics").first.click()
        kin = page.locator(".augbench-summary").filter(has_text="fraction edited").first
        expect(kin).to_contain_text(re.compile(r"fraction edited at 24 h: 0\.[1-9]\d"), timeout=60000)
        handle = page.locator(".bk-input-group", has_text="Cas9 dose").locator(".noUi-handle").first
        handle.focus()
        handle.press("Home")                       # no Cas9 -> nothing can be edited
        expect(kin).to_contain_text("fraction edited at 24 h: 0.00", timeout=60000)
        page.wait_for_timeout(3000)                 # plots re-render after the summary
        screenshot(page, "dashboard-grna-kinetics")
        assert errors == [], errors


def test_cognition_staircase_and_play():
    from playwright.sync_api import expect

    with serve_section("cognition") as (url, _), browser() as b:
        page, errors = _open(b, url)
        summary = page.locator(".augbench-summary").first
        expect(summary).to_contain_text(re.compile(r"1-up-2-down, 60 trials .*70\.7% point"), timeout=60000)
        screenshot(page, "dashboard-cognition-staircase")
        _select(page, "Procedure", "QUEST+")       # another procedure -> its own estimate
        expect(summary).to_contain_text(re.compile(r"QUEST\+, 60 trials"), timeout=60000)
        handle = page.locator(".bk-input-group", has_text="Trials").locator(".noUi-handle").first
        handle.focus()
        handle.press("End")                        # more trials -> the count in the summary follows
        expect(summary).not_to_contain_text("60 trials", timeout=60000)
        expect(summary).to_contain_text(re.compile(r"QUEST\+, \d{3} trials"), timeout=60000)
        screenshot(page, "dashboard-cognition-questplus")

        page.locator(".bk-tab", has_text="Play").first.click()   # a person plays the 2AFC task
        status = page.locator(".augbench-play-status").first
        feedback = page.locator(".augbench-play-feedback").first
        page.get_by_role("button", name="1 (left)").first.click()
        expect(feedback).to_contain_text(re.compile(r"(Correct|Not this time)[^/]*1/\d+ done"), timeout=30000)
        page.get_by_role("button", name="2 (right)").first.click()
        expect(feedback).to_contain_text(re.compile(r"2/\d+"), timeout=30000)
        keys = page.locator(".augbench-keys input").first   # keyboard: one keystroke is one answer
        keys.click()
        keys.press("x")
        expect(feedback).to_contain_text("Key 'x' is not a response here", timeout=30000)
        keys.press("j")
        expect(feedback).to_contain_text(re.compile(r"3/\d+ done"), timeout=30000)
        expect(page.locator(".augbench-play-track svg circle")).to_have_count(3, timeout=30000)   # live track
        expect(status).to_be_visible()
        screenshot(page, "dashboard-cognition-play")
        assert errors == [], errors


def test_bci_decoding_and_replay():
    from playwright.sync_api import expect

    with serve_section("bci") as (url, _), browser() as b:
        page, errors = _open(b, url)
        summary = page.locator(".augbench-summary").first
        expect(summary).to_contain_text(re.compile(r"S001, CSP\+LDA, 7.30 Hz: accuracy 0\.\d\d \(chance 0\.5"),
                                        timeout=90000)
        screenshot(page, "dashboard-bci-s001")
        handle = page.locator(".bk-input-group", has_text="Band (Hz)").locator(".noUi-handle").first
        handle.focus()
        for _ in range(2):
            handle.press("ArrowRight")             # the lower band edge moves up -> refit on the new band
        expect(summary).to_contain_text(re.compile(r"S001, CSP\+LDA, (8|9|10)(\.\d+)?.30 Hz: accuracy"),
                                        timeout=90000)
        _select(page, "Subject", "2")              # another recording -> another subject's accuracy
        expect(summary).to_contain_text(re.compile(r"S002, CSP\+LDA"), timeout=120000)
        screenshot(page, "dashboard-bci-s002")

        page.locator(".bk-tab", has_text="Online replay").first.click()
        replay = page.locator(".augbench-replay").first
        expect(replay).to_contain_text(re.compile(r"t = [\d.]+ s: decoded \*{0,2}\w+"), timeout=120000)
        expect(page.locator(".augbench-nf").first).to_be_attached()
        page.wait_for_timeout(2000)
        screenshot(page, "dashboard-bci-replay")
        assert errors == [], errors
