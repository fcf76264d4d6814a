"""Sign-in as a person sees it: from the click on "Se connecter" to the home page's ``load``.

    .venv/bin/python benchmarks/sign_in_browser.py http://127.0.0.1:8000 [--rounds N]

Run it against a running demo (``make demo``): for each demo account, ``--rounds`` fresh
browsers (Playwright with Debian's chromium, no cookie, no cache), each signing in once. The
first round of each account is shown apart (the server may still be cold for that account).
The server's share of it is in ``benchmarks/page_times.py`` ("sign-in" rows).
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

ACCOUNTS = ("employe", "animatrice", "partenaire", "admin")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the demo's address, e.g. http://127.0.0.1:8000")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for username in ACCOUNTS:
            seconds = []
            for _ in range(args.rounds):
                context = browser.new_context(base_url=args.base, locale="fr-FR")
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto("/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", "demo")
                started = time.perf_counter()
                page.click("form button.primary")
                page.wait_for_load_state("load")
                seconds.append(time.perf_counter() - started)
                if "/login" in page.url:
                    raise SystemExit(f"{username} was not signed in (still on {page.url})")
                context.close()
            rest = ", ".join(f"{s:.2f}" for s in seconds[1:])
            print(f"{username:12} first {seconds[0]:.2f} s, then {rest} s")
        browser.close()


if __name__ == "__main__":
    main()
