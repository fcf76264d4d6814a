"""Scans 100,000-character pathological inputs with every detector on; run in a subprocess
by test_sensitive_redos.py, whose timeout bounds the time (a regex that backtracks
catastrophically, or a detector quadratic in its matches, would take minutes or hours)."""

from __future__ import annotations

import sys
import time

from rucher.sensitive import DetectorConfig, scan

N = 100_000

INPUTS: dict[str, str] = {
    "letters": "a" * N,
    "digits": "1" * N,
    "digits spaced": "1 " * (N // 2),
    "digits dashed": "4-" * (N // 2),
    "zero run": "0" * N,
    "iban head": "FR76 " * (N // 5),
    "iban body": "FR76" + " 1234" * (N // 5),
    "alnum groups": "AB12 CD34 " * (N // 10),
    "email local": "a." * (N // 2),
    "email at": "a@" * (N // 2),
    "email domain": "a@" + "b." * (N // 2),
    "email list": "a@b.fr, " * (N // 8),
    "phones": "06 12 34 56 78, " * (N // 16),
    "plus": "+" * N,
    "plus digits": "+33 " * (N // 4),
    "plus long numbers": ("+1" + "1" * 28) * (N // 30),
    "00 long numbers": ("001" + "1" * 27 + " ") * (N // 31),
    "plus groups": ("+33 " + "12 " * 10 + "x ") * (N // 36),
    "parens": "(0)" * (N // 3),
    "nir head": "1 85 05 " * (N // 8),
    "amount": "1 000 " * (N // 6),
    "amount euro": "1 000 € " * (N // 8),
    "salary words": "salaire " * (N // 8),
    "salary mixed": "salaire 45 000 € " * (N // 17),
    "brut": "45 k€ brut " * (N // 11),
    "akia": "AKIA" * (N // 4),
    "ghp": "ghp_" + "a" * N,
    "xox": "xoxb-" * (N // 5),
    "pem": "-----BEGIN " * (N // 11),
    "pem keys": "-----BEGIN RSA PRIVATE KEY-----" * (N // 31),
    "password labels": "password: " * (N // 10),
    "password values": "mot de passe : Abc123! " * (N // 23),
    "url": "a://" * (N // 4),
    "url user": "postgres://" + "u" * N,
    "url colon": "x://a:" * (N // 6),
    "terms": "projet " * (N // 7),
    "terms accents": "e\u0301" * (N // 2),
    "siren": "SIREN 732 829 320 " * (N // 18),
    "company words": "RCS " * (N // 4),
    "dots": "." * N,
    "spaces": " " * N,
    "newlines": "\n" * N,
    "mixed": ("4111 1111 1111 1111 FR76 a@b.fr 06 12 34 56 78 salaire 45 k€ " * 2000)[:N],
}

CONFIG = DetectorConfig(
    confidential_terms=("Projet Aurore", "projet alpha", "Hélios", "e\u0301e\u0301e\u0301x")
)

if __name__ == "__main__":
    worst = 0.0
    for name, text in INPUTS.items():
        started = time.perf_counter()
        scan(text, CONFIG)
        elapsed = time.perf_counter() - started
        worst = max(worst, elapsed)
        print(f"{name:16s} {len(text):7d} chars {elapsed * 1000:9.1f} ms", flush=True)
    print(f"worst {worst * 1000:.1f} ms")
    sys.exit(0)
