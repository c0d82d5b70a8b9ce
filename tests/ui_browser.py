#!/usr/bin/python3
"""ui_browser.py — `infersim ui` in a real browser (headless Chromium through Selenium).

  BIN=./infersim /usr/bin/python3 tests/ui_browser.py [SCREENSHOT_DIR]

The page loads with no console error; its numbers are `infersim predict --json`'s for the
same inputs; changing the batch updates them; a deployment that does not fit says why; the
batch curve is drawn.  A screenshot of each view goes to SCREENSHOT_DIR (default
build/ui-screens).  Ends with "ui: N passed, M failed".
"""
import json
import os
import re
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BIN = os.environ.get("BIN", "./infersim")
SHOTS = sys.argv[1] if len(sys.argv) > 1 else "build/ui-screens"
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def cli(*args):
    out = subprocess.run([BIN, "predict", "--json", *args], capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    os.makedirs(SHOTS, exist_ok=True)
    server = subprocess.Popen([BIN, "ui", "--port", "0"], stdout=subprocess.PIPE, text=True)
    url = None
    try:
        line = server.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        check(m is not None, "the server prints its URL: " + line)
        url = m.group(0)
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for a in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-dev-shm-usage", "--window-size=1280,1600"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        try:
            run(drv, url)
        finally:
            drv.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"ui: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def result(drv, pred, timeout=15):
    """Wait until the page's last prediction satisfies pred; return it."""
    WebDriverWait(drv, timeout).until(lambda d: (lambda r: r is not None and pred(r))(
        d.execute_script("return window.lastResult || null")))
    return drv.execute_script("return window.lastResult")


def set_value(drv, el_id, value):
    drv.execute_script("const e = document.getElementById(arguments[0]); e.value = arguments[1];"
                       "e.dispatchEvent(new Event('input', {bubbles: true}));", el_id, str(value))


def run(drv, url):
    drv.get(url)
    r = result(drv, lambda r: True)
    want = cli("--model", "llama-3.1-8b", "--system", "h100-sxm", "--batch", "1", "--isl", "1024", "--osl", "128",
               "--weights", "bf16", "--kv", "bf16")
    check(r["tpot_s"] == want["tpot_s"] and r["ttft_s"] == want["ttft_s"], "first view equals predict --json")
    tpot = drv.find_element(By.ID, "tpot").text
    check(tpot == f"{want['tpot_s'] * 1e3:.2f} ms", f"TPOT shown as {tpot}")
    WebDriverWait(drv, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#curve svg circle"))
    check(len(drv.find_elements(By.CSS_SELECTOR, "#curve svg circle")) >= 5, "the batch curve is drawn")
    check(len(drv.find_elements(By.CSS_SELECTOR, "#ops tbody tr")) >= 5, "the operator table is filled")
    check(len(drv.find_elements(By.CSS_SELECTOR, "#memory .mem div")) >= 3, "the memory bar is drawn")
    drv.save_screenshot(os.path.join(SHOTS, "predict.png"))

    # the batch changes: the numbers follow
    set_value(drv, "batch", 32)
    r = result(drv, lambda r: r["batch"] == 32)
    want = cli("--model", "llama-3.1-8b", "--system", "h100-sxm", "--batch", "32", "--isl", "1024", "--osl", "128",
               "--weights", "bf16", "--kv", "bf16")
    check(r["tpot_s"] == want["tpot_s"] and r["output_tok_s"] == want["output_tok_s"], "batch 32 equals predict --json")
    check(drv.find_element(By.ID, "tpot").text == f"{want['tpot_s'] * 1e3:.2f} ms", "batch 32: TPOT shown")

    # the model changes to one that does not fit on one H100: the reason is shown
    Select(drv.find_element(By.ID, "model")).select_by_value("llama-3.1-405b")
    r = result(drv, lambda r: not r["fits"])
    fit = drv.find_element(By.ID, "fit")
    check("no" in fit.get_attribute("class") and "does not fit: needs" in fit.text, "does-not-fit shows why: " + fit.text)
    drv.save_screenshot(os.path.join(SHOTS, "does-not-fit.png"))

    # the same model on 8 chips in fp8 fits again
    set_value(drv, "chips", 8)
    set_value(drv, "tp", 8)
    Select(drv.find_element(By.ID, "weights")).select_by_visible_text("fp8")
    r = result(drv, lambda r: r["fits"] and r["precision"]["weights"] == "fp8")
    check(r["fits"], "405B on 8 H100s in fp8 fits")
    want = cli("--model", "llama-3.1-405b", "--system", "h100-sxm", "--chips", "8", "--tp", "8", "--weights", "fp8",
               "--kv", "bf16", "--batch", "32", "--isl", "1024", "--osl", "128")
    check(r["tpot_s"] == want["tpot_s"], "405B on 8 H100s equals predict --json")

    # four systems side by side, each as predict --json gives it
    for k, name in enumerate(("h200", "b200", "mi300x"), 1):
        Select(drv.find_element(By.ID, f"cmp{k}")).select_by_value(name)
    WebDriverWait(drv, 20).until(lambda d: len(d.execute_script("return window.lastCompare || []")) == 4)
    rows = drv.find_elements(By.CSS_SELECTOR, "#compare tbody tr")
    check(len(rows) == 4, f"the comparison shows four systems ({len(rows)})")
    cmp = drv.execute_script("return window.lastCompare")
    for name, got in zip(("h100-sxm", "h200", "b200", "mi300x"), cmp):
        want = cli("--model", "llama-3.1-405b", "--system", name, "--chips", "8", "--tp", "8", "--weights", "fp8",
                   "--kv", "bf16", "--batch", "32", "--isl", "1024", "--osl", "128")
        check(got.get("output_tok_s_per_chip") == want["output_tok_s_per_chip"], f"compare: {name} equals predict --json")
    first = drv.execute_script("return document.querySelector('#compare tbody tr td').textContent")
    check(first == "h100-sxm", "the first row is the chosen system")
    drv.save_screenshot(os.path.join(SHOTS, "compare.png"))

    # the paper's picture: the same chip with one HBF stack, as `directions` applies it
    Select(drv.find_element(By.ID, "cmp1")).select_by_value("@hbf_stacks=1")
    WebDriverWait(drv, 20).until(lambda d: (d.execute_script("return window.lastCompare || []") + [{}])[1]
                                 .get("system", {}).get("name", "").endswith("+hbf_stacks=1"))
    cmp = drv.execute_script("return window.lastCompare")
    check(cmp[1]["fits"] and cmp[1]["memory"].get("hbf", {}).get("weights", 0) > 0,
          "compare: H100 + 1 HBF stack holds the weights on flash")
    second = drv.execute_script("return document.querySelectorAll('#compare tbody tr')[1].querySelector('td').textContent")
    check(second == "h100-sxm + hbf_stacks 1", "compare names the direction")

    # the roofline: decode left of the ridge, prefill right of it
    dx = float(drv.find_element(By.ID, "roof-decode").get_attribute("cx"))
    px = float(drv.find_element(By.ID, "roof-prefill").get_attribute("cx"))
    check(dx < px, "the roofline places decode left of prefill")

    # a pasted system file is predicted like the same file given to the CLI
    yaml = ("name: pasted\nchip: {peak_TFLOPs: {bf16: 500, fp8: 1000}, compute_efficiency: 0.7}\n"
            "memory: [{name: hbm, capacity_GB: 400, bandwidth_GBps: 4000, efficiency: 0.9}]\n"
            "interconnect: [{name: link, domain_chips: 8, bandwidth_GBps: 400}]\n")
    Select(drv.find_element(By.ID, "system")).select_by_value("(paste)")
    drv.execute_script("const e = document.getElementById('yaml'); e.value = arguments[0];"
                       "e.dispatchEvent(new Event('input', {bubbles: true}));", yaml)
    r = result(drv, lambda r: r["system"]["name"] == "pasted")
    path = os.path.join(SHOTS, "pasted.yaml")
    open(path, "w").write(yaml)
    want = cli("--model", "llama-3.1-405b", "--system", path, "--chips", "8", "--tp", "8", "--weights", "fp8",
               "--kv", "bf16", "--batch", "32", "--isl", "1024", "--osl", "128")
    check(r["tpot_s"] == want["tpot_s"], "a pasted system equals the CLI on the same file")

    # keyboard: the model select takes focus and a key changes it
    drv.find_element(By.ID, "model").send_keys("l")
    check(drv.switch_to.active_element.get_attribute("id") == "model", "the model select is usable by keyboard")

    # the design-space search panel: the same frontier and top as `search --json`
    Select(drv.find_element(By.ID, "model")).select_by_value("llama-3.1-70b")
    drv.find_element(By.ID, "s-run").click()
    WebDriverWait(drv, 60).until(lambda d: d.execute_script("return window.lastSearch || null"))
    got = drv.execute_script("return window.lastSearch")
    out = subprocess.run([BIN, "search", "--model", "llama-3.1-70b", "--systems", "b200,h100-sxm", "--chips", "1..16:x2",
                          "--batch", "1..256:x2,max", "--isl", "1024", "--osl", "128", "--weights", "fp8", "--kv", "fp8",
                          "--json"], capture_output=True, text=True)
    want = json.loads(out.stdout)
    check(got["evaluated"] == want["evaluated"] and got["top"] == want["top"] and got["frontier"] == want["frontier"],
          "the search panel equals search --json")
    check(len(drv.find_elements(By.CSS_SELECTOR, "#s-top tbody tr")) == len(want["top"]), "the search's top table")
    check(len(drv.find_elements(By.CSS_SELECTOR, "#s-frontier svg circle")) == len(want["frontier"]),
          "the search's frontier is drawn")
    drv.execute_script("document.getElementById('search-form').scrollIntoView()")
    drv.save_screenshot(os.path.join(SHOTS, "search.png"))

    # expert slots and skew with EP: DeepSeek-R1's 256 experts over 48 GB200s at EP 48 need 288 slots
    Select(drv.find_element(By.ID, "system")).select_by_value("gb200-nvl72")
    Select(drv.find_element(By.ID, "model")).select_by_value("deepseek-r1")
    for k, v in (("chips", 48), ("tp", 1), ("pp", 1), ("ep", 48), ("dp", 48), ("slots", 288), ("skew", 0.5)):
        set_value(drv, k, v)
    r = result(drv, lambda r: r["model"]["name"] == "deepseek-r1" and r["system"]["name"] == "gb200-nvl72"
               and r["system"].get("expert_skew") == 0.5 and r["system"]["ep"] == 48
               and r["system"].get("expert_slots") == 288)
    want = cli("--model", "deepseek-r1", "--system", "gb200-nvl72", "--chips", "48", "--tp", "1", "--ep", "48", "--dp",
               "48", "--weights", "fp8", "--kv", "bf16", "--batch", "32", "--isl", "1024", "--osl", "128",
               "--expert-slots", "288", "--expert-skew", "0.5")
    check(r["tpot_s"] == want["tpot_s"], "EP 48 with 288 expert slots and a skew equals predict --json")

    errors = [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
    check(not errors, "no console errors: " + json.dumps(errors)[:300])

    # the study as a page, opened from disk: both figures render, every verdict is there
    study = os.path.abspath(os.path.join(SHOTS, "study"))
    subprocess.run([BIN, "study", "paper", "--out", study], capture_output=True, check=True)
    drv.get("file://" + study + "/index.html")
    sizes = drv.execute_script("return [...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect())"
                               ".map(r => r.width * r.height)")
    check(len(sizes) == 2 and all(a > 10000 for a in sizes), f"the study page renders both figures: {sizes}")
    claims = [v["claim"] for v in json.load(open(os.path.join(study, "study.json")))["verdicts"]]
    text = drv.find_element(By.TAG_NAME, "body").text
    check(claims and all(c in text for c in claims), "the study page shows every verdict")
    drv.save_screenshot(os.path.join(SHOTS, "study.png"))
    errors = [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
    check(not errors, "the study page: no console errors: " + json.dumps(errors)[:300])


if __name__ == "__main__":
    sys.exit(main())
