#!/usr/bin/env python3
"""Generates the labelled privacy corpus (corpus.jsonl) used by tests/unit/router.

Half the prompts carry planted sensitive data of every built-in kind, in varied formats and
positions (start, middle, end, inside JSON, code, markdown, multi-line); the other half are
hard negatives that look like sensitive data but are not (order numbers, ISBNs, versions,
dates, UUIDs, hashes, tracking numbers, public keys, placeholders, ...). Negatives are
generated from their own shapes and never filtered against the classifier.

Each line: {"id": N, "label": "sensitive"|"clean", "text": "...",
            "planted": [{"kind": K, "start": S, "end": E}]}   (byte offsets, UTF-8)

Run:  python3 tests/data/privacy/generate.py > tests/data/privacy/corpus.jsonl
All values are synthetic (random, checksums computed here); none belongs to anyone.
"""
import base64
import json
import random
import string
import sys

R = random.Random(20261125)
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
ALNUM = string.ascii_letters + string.digits
UPNUM = string.ascii_uppercase + string.digits


def rs(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def digits(n):
    return "".join(R.choice(string.digits) for _ in range(n))


def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return body + str((10 - total % 10) % 10)


def luhn_ok(num):
    ds = [int(c) for c in num if c.isdigit()]
    total = 0
    for i, v in enumerate(reversed(ds)):
        if i % 2 == 1:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return total % 10 == 0


def group(s, sizes, sep):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return sep.join(out)


# ---- generators of sensitive values: each returns (kind, value) ----

FIRST = ["john", "maria", "wei", "aisha", "lars", "sofia", "omar", "yuki", "pierre", "anna",
         "carlos", "fatima", "ivan", "priya", "tom", "chloe"]
LAST = ["smith", "garcia", "chen", "khan", "nielsen", "rossi", "haddad", "tanaka", "dubois",
        "kowalski", "silva", "mensah", "petrov", "sharma", "obrien", "martin"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.co.uk", "example.de", "uni.example.edu",
           "example.io", "sub.mail.example.fr", "example.com.au"]


def email():
    f, l = R.choice(FIRST), R.choice(LAST)
    local = R.choice([f"{f}.{l}", f"{f}{l}{R.randint(1, 99)}", f"{f[0]}{l}", f"{f}_{l}",
                      f"{f}+{R.choice(['news', 'billing', 'x'])}", f"{f.upper()}.{l.capitalize()}"])
    return "email", f"{local}@{R.choice(DOMAINS)}"


def phone():
    forms = [
        lambda: f"+1 ({R.randint(201, 989)}) {R.randint(200, 999)}-{digits(4)}",
        lambda: f"+1-{R.randint(201, 989)}-{R.randint(200, 999)}-{digits(4)}",
        lambda: f"+44 20 {digits(4)} {digits(4)}",
        lambda: f"+44 7700 {digits(6)}",
        lambda: f"+49 30 {digits(7)}",
        lambda: f"+33 1 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
        lambda: f"+81 3-{digits(4)}-{digits(4)}",
        lambda: f"+91 9{digits(4)} {digits(5)}",
        lambda: f"+61 4{digits(2)} {digits(3)} {digits(3)}",
        lambda: f"+1{R.randint(201, 989)}{R.randint(200, 999)}{digits(4)}",
        lambda: f"({R.randint(201, 989)}) {R.randint(200, 999)}-{digits(4)}",
        lambda: f"{R.randint(201, 989)}-{R.randint(200, 999)}-{digits(4)}",
        lambda: f"{R.randint(201, 989)}.{R.randint(200, 999)}.{digits(4)}",
        lambda: f"020 {digits(4)} {digits(4)}",
        lambda: f"07700 {digits(6)}",
        lambda: f"01 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
        lambda: f"0044 20 {digits(4)} {digits(4)}",
        lambda: f"0049-30-{digits(7)}",
        lambda: f"{R.randint(201, 989)}-{R.randint(0, 199):03d}-{digits(4)}",
    ]
    return "phone", R.choice(forms)()


def card():
    kind = R.choice(["visa", "mc", "mc2", "amex", "discover", "jcb", "diners"])
    if kind == "visa":
        n = luhn_complete("4", 16)
    elif kind == "mc":
        n = luhn_complete(str(R.randint(51, 55)), 16)
    elif kind == "mc2":
        n = luhn_complete(str(R.randint(2221, 2720)), 16)
    elif kind == "amex":
        n = luhn_complete(R.choice(["34", "37"]), 15)
        return "payment_card", R.choice([n, group(n, [4, 6, 5], " "), group(n, [4, 6, 5], "-")])
    elif kind == "discover":
        n = luhn_complete("6011", 16)
    elif kind == "jcb":
        n = luhn_complete(str(R.randint(3528, 3589)), 16)
    else:
        n = luhn_complete("36", 14)
        return "payment_card", R.choice([n, group(n, [4, 6, 4], " ")])
    return "payment_card", R.choice([n, group(n, [4, 4, 4, 4], " "), group(n, [4, 4, 4, 4], "-")])


IBAN_FORMATS = {  # country: (total length, bban shape: 'n' digit, 'a' upper letter, 'c' either)
    "DE": "n" * 18, "GB": "aaaa" + "n" * 14, "FR": "n" * 10 + "c" * 11 + "nn", "NL": "aaaa" + "n" * 10,
    "ES": "n" * 20, "IT": "a" + "n" * 10 + "c" * 12, "CH": "n" * 5 + "c" * 12, "BE": "n" * 12,
    "AT": "n" * 16, "PL": "n" * 24, "SE": "n" * 20, "NO": "n" * 11, "IE": "aaaa" + "n" * 14,
}


def iban():
    cc = R.choice(list(IBAN_FORMATS))
    bban = "".join(R.choice(string.digits) if c == "n" else R.choice(string.ascii_uppercase)
                   if c == "a" else R.choice(UPNUM) for c in IBAN_FORMATS[cc])
    rearranged = bban + cc + "00"
    num = int("".join(str(int(ch, 36)) for ch in rearranged))
    check = 98 - num % 97
    full = f"{cc}{check:02d}{bban}"
    return "iban", R.choice([full, " ".join(full[i:i + 4] for i in range(0, len(full), 4))])


def ssn():
    while True:
        area = R.randint(1, 899)
        if area != 666:
            break
    g, s = R.randint(1, 99), R.randint(1, 9999)
    v = f"{area:03d}{g:02d}{s:04d}"
    form = R.choice(["dash", "dash", "space", "context"])
    if form == "dash":
        return "us_ssn", f"{v[:3]}-{v[3:5]}-{v[5:]}"
    if form == "space":
        return "us_ssn", f"{v[:3]} {v[3:5]} {v[5:]}"
    return "us_ssn", v, R.choice(["SSN: ", "ssn ", "Social Security Number: ", "social security no. "])


def nino():
    first = R.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = R.choice("ABCEGHJKLMNPRSTWXYZ")
    while first + second in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
        second = R.choice("ABCEGHJKLMNPRSTWXYZ")
    d = digits(6)
    suffix = R.choice("ABCD")
    return "uk_nino", R.choice([f"{first}{second}{d}{suffix}",
                                f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {suffix}"])


def sin():
    n = luhn_complete(str(R.choice([1, 2, 3, 4, 5, 6, 7, 9])), 9)
    return "ca_sin", R.choice([f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"])


def ipv4():
    a = R.choice([10, 172, 192, R.randint(11, 223)])
    v = f"{a}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
    return "ipv4", v


def ipv6():
    groups = [format(R.randint(0, 0xffff), "x") for _ in range(8)]
    form = R.choice(["full", "compressed", "linklocal", "doc", "mapped"])
    if form == "full":
        v = ":".join(groups)
    elif form == "compressed":
        v = "2001:db8:" + ":".join(groups[:2]) + "::" + groups[7]
    elif form == "linklocal":
        v = f"fe80::{groups[4]}:{groups[5]}:{groups[6]}:{R.randint(1, 0xfff):x}"
    elif form == "doc":
        v = f"2001:db8::{R.randint(1, 0xffff):x}"
    else:
        v = f"::ffff:192.0.2.{R.randint(1, 254)}"
    return "ipv6", v.upper() if R.random() < 0.2 else v


def aws_access():
    return "aws_access_key", R.choice(["AKIA", "ASIA"]) + rs(string.ascii_uppercase + "234567", 16)


def aws_secret():
    while True:
        v = rs(B64, 40)
        if any(c.isupper() for c in v) and any(c.islower() for c in v) and any(c.isdigit() for c in v):
            break
    prefix = R.choice(["aws_secret_access_key = ", "AWS_SECRET_ACCESS_KEY=", '"SecretAccessKey": "',
                       "aws_secret_access_key: ", "my AWS secret key is "])
    return "aws_secret_key", v, prefix


def gcp():
    return "gcp_api_key", "AIza" + rs(ALNUM + "_-", 35)


def azure():
    form = R.choice(["account", "client"])
    if form == "account":
        return "azure_key", rs(ALNUM + "+/", 86) + "==", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey="
    return "azure_key", rs(ALNUM, 3) + str(R.randint(0, 9)) + "Q~" + rs(ALNUM + "_~.-", 34)


def github():
    if R.random() < 0.7:
        return "github_token", R.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + rs(ALNUM, 36)
    return "github_token", "github_pat_" + rs(ALNUM + "_", 82)


def slack():
    if R.random() < 0.7:
        return "slack_token", f"xox{R.choice('bpa')}-{digits(12)}-{digits(13)}-{rs(ALNUM, 24)}"
    return "slack_token", f"https://hooks.slack.com/services/T{rs(UPNUM, 8)}/B{rs(UPNUM, 10)}/{rs(ALNUM, 24)}"


def openai():
    if R.random() < 0.5:
        return "openai_key", "sk-proj-" + rs(ALNUM + "_-", 40) + R.choice(string.digits) + "a"
    return "openai_key", "sk-" + rs(ALNUM, 47) + "7"


def anthropic():
    return "anthropic_key", "sk-ant-api03-" + rs(ALNUM + "_-", 93) + "AA"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt():
    header = json.dumps({"alg": R.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}).encode()
    payload = json.dumps({"sub": digits(8), "name": R.choice(FIRST), "iat": R.randint(1600000000, 1800000000)}).encode()
    return "jwt", f"{b64url(header)}.{b64url(payload)}.{b64url(bytes(R.randrange(256) for _ in range(32)))}"


def pem():
    label = R.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    body = "\n".join(rs(B64, 64) for _ in range(R.randint(3, 6)))
    return "private_key", f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def url_password():
    user = R.choice(["admin", "app", "postgres", "svc_user", "deploy", ""])
    pw = rs(ALNUM + "!*_-", R.randint(8, 20))
    scheme, host = R.choice([("postgres", "db.internal:5432/app"), ("mysql", "10.1.2.3:3306/shop"),
                             ("https", "git.example.com/org/repo.git"), ("redis", "cache.local:6379/0"),
                             ("amqp", "mq.example.net/vhost"), ("mongodb+srv", "cluster0.example.mongodb.net/db")])
    if scheme != "redis" and not user:
        user = "root"
    prefix = f"{scheme}://{user}:"
    return "url_password", pw, prefix, f"@{host}"


def stripe():
    return "stripe_key", R.choice(["sk_live_", "sk_test_", "rk_live_"]) + rs(ALNUM, R.choice([24, 34, 99]))


def gitlab():
    return "gitlab_token", R.choice(["glpat-", "glpat-", "gldt-", "glrt-"]) + rs(ALNUM + "_-", 20)


def npm_token():
    return "npm_token", "npm_" + rs(ALNUM, 36)


def huggingface():
    while True:
        v = rs(string.ascii_letters, 34)
        if any(c.isupper() for c in v) and any(c.islower() for c in v):
            return "huggingface_token", "hf_" + v


def sendgrid():
    return "sendgrid_key", f"SG.{rs(ALNUM + '_-', 22)}.{rs(ALNUM + '_-', 43)}"


def credential():
    """A password or API secret assigned to a named key (the value is what is planted)."""
    while True:
        v = rs(ALNUM + "!@#%^&*_-+", R.randint(8, 24))
        if any(c.isdigit() for c in v) and v[-1] not in ".)]}>:":
            break
    prefix = R.choice(["password=", "DB_PASSWORD=", "Password: ", 'password = "', '"api_key": "',
                       "client_secret: ", "MYSQL_ROOT_PASSWORD=", "passwd ", "apiKey: '",
                       "access_token=", "--password=", "SECRET_KEY = '", "pwd: "])
    if prefix == "passwd ":
        prefix = "passwd: "
    closing = {'"': '"', "'": "'"}.get(prefix[-1], "")
    form = R.random()
    if form < 0.15:
        user = R.choice(FIRST)
        return "credential", base64.b64encode(f"{user}:{v}".encode()).decode(), "Authorization: Basic "
    if form < 0.3:
        return "credential", rs(ALNUM, R.randint(24, 40)) + str(R.randint(0, 9)), "Authorization: Bearer "
    return "credential", v, prefix, closing


GENERATORS = [email, phone, card, iban, ssn, nino, sin, ipv4, ipv6, aws_access, aws_secret, gcp,
              azure, github, slack, openai, anthropic, stripe, gitlab, npm_token, huggingface,
              sendgrid, jwt, pem, url_password, credential]

TEMPLATES = [
    "{v}",
    "{v} - can you check why this one keeps failing?",
    "Please summarise the ticket below.\n\nCustomer wrote: my details are {v}, thanks.",
    "Here is the config I am using:\n```\n{key} {v}\n```\nWhy does it not connect?",
    '{{"customer": {{"id": 4411, "contact": "{v}", "tier": "gold"}}}}',
    "Translate to French: Please send everything to {v} before Friday.",
    "| field | value |\n|---|---|\n| name | Jane |\n| data | {v} |",
    "Rewrite this email politely:\nhey,\nuse {v}\nand stop asking me.\n-- J",
    "Tool result:\n{{\"status\": \"ok\", \"record\": \"{v}\"}}",
    "Log line 2024-03-01T10:22:31Z WARN request from {v} rejected (quota)",
    "I found {v} in the old spreadsheet; is it safe to paste into the wiki?",
    "Extract the entities from: 'Meeting moved to 3pm. Details: {v}. Bring the Q3 deck.'",
]

KEY_LABELS = {"email": "EMAIL=", "phone": "PHONE=", "payment_card": "CARD=", "iban": "IBAN=",
              "us_ssn": "SSN=", "uk_nino": "NINO=", "ca_sin": "SIN=", "ipv4": "HOST=", "ipv6": "HOST=",
              "aws_access_key": "AWS_ACCESS_KEY_ID=", "gcp_api_key": "GOOGLE_API_KEY=",
              "github_token": "GITHUB_TOKEN=", "slack_token": "SLACK_TOKEN=", "openai_key": "OPENAI_API_KEY=",
              "anthropic_key": "ANTHROPIC_API_KEY=", "jwt": "Authorization: Bearer",
              "azure_key": "AZURE_KEY=", "private_key": "", "url_password": "DATABASE_URL=",
              "aws_secret_key": "", "stripe_key": "STRIPE_SECRET_KEY=", "gitlab_token": "GITLAB_TOKEN=",
              "npm_token": "NPM_TOKEN=", "huggingface_token": "HF_TOKEN=", "sendgrid_key": "SENDGRID_API_KEY=",
              "credential": ""}


def plant(parts):
    """parts: list of str or (kind, value); returns text and planted spans (byte offsets)."""
    out = b""
    planted = []
    for p in parts:
        if isinstance(p, tuple):
            kind, value = p
            b = value.encode()
            planted.append({"kind": kind, "start": len(out), "end": len(out) + len(b)})
            out += b
        else:
            out += p.encode()
    return out.decode(), planted


def sensitive_prompt(gen):
    g = gen()
    kind, value = g[0], g[1]
    before = g[2] if len(g) > 2 else ""
    after = g[3] if len(g) > 3 else ""
    tpl = R.choice(TEMPLATES)
    head, tail = tpl.split("{v}")
    key = KEY_LABELS[kind]
    head = head.replace("{key}", key).replace("{{", "{").replace("}}", "}")
    tail = tail.replace("{{", "{").replace("}}", "}")
    parts = [head + before, (kind, value), after + tail]
    if R.random() < 0.25:  # a second, different kind somewhere else
        g2 = R.choice(GENERATORS)()
        parts += ["\nAlso: " + (g2[2] if len(g2) > 2 else ""), (g2[0], g2[1]),
                  (g2[3] if len(g2) > 3 else "") + "."]
    return plant(parts)


# ---- hard negatives ----

def isbn13():
    body = "978" + digits(9)
    s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    full = body + str((10 - s % 10) % 10)
    return R.choice([full, f"{full[:3]}-{full[3]}-{full[4:6]}-{full[6:12]}-{full[12]}"])


def isbn10():
    body = digits(9)
    s = sum(int(c) * (10 - i) for i, c in enumerate(body))
    c = (11 - s % 11) % 11
    return body + ("X" if c == 10 else str(c))


def b64_greeting():
    return base64.b64encode(R.choice([b"Hello world", b"sample text 123", b"lorem ipsum"])).decode()


def uuid():
    h = rs(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{R.choice('89ab')}{h[17:20]}-{h[20:]}"


NEGATIVE_SHAPES = [
    lambda: f"Order ORD-{R.randint(2019, 2026)}-{digits(6)} shipped on {R.randint(1, 28)} March.",
    lambda: f"Your order number is {digits(16)}; keep it for returns.",
    lambda: f"Invoice INV{digits(8)} is overdue by {R.randint(2, 60)} days.",
    lambda: f"The book's ISBN is {isbn13()}.",
    lambda: f"ISBN-10 {isbn10()} is the paperback edition.",
    lambda: f"Upgrade from v{R.randint(1, 9)}.{R.randint(0, 30)}.{R.randint(0, 99)} to {R.randint(1, 9)}.{R.randint(0, 30)}.{R.randint(0, 9)}-rc{R.randint(1, 5)}.",
    lambda: f"Windows build 10.0.{R.randint(19000, 26000)}.{R.randint(1000, 5000)} has the fix.",
    lambda: f"The release notes for version {R.randint(1, 5)}.{R.randint(0, 20)}.{R.randint(0, 20)} mention it.",
    lambda: f"Meeting on {R.randint(2020, 2026)}-{R.randint(1, 12):02d}-{R.randint(1, 28):02d} at {R.randint(8, 18)}:{R.choice(['00', '15', '30', '45'])}.",
    lambda: f"Deadline {R.randint(1, 12):02d}/{R.randint(1, 28):02d}/{R.randint(2020, 2026)}, reminder set for {R.randint(1, 12)}:{R.randint(10, 59)}:{R.randint(10, 59)}.",
    lambda: f"Timestamp {R.randint(2020, 2026)}-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}Z, epoch {R.randint(1600000000, 1800000000)}.",
    lambda: f"Request id {uuid()} failed with 503.",
    lambda: f"Commit {rs(HEX, 40)} introduced the regression.",
    lambda: f"sha256: {rs(HEX, 64)}  file.tar.gz",
    lambda: f"MD5 {rs(HEX, 32)} matches the mirror.",
    lambda: f"docker pull nginx@sha256:{rs(HEX, 64)}",
    lambda: f"UPS tracking 1Z{rs(UPNUM, 6)}{digits(10)} shows it in Memphis.",
    lambda: f"USPS tracking 9400 {digits(4)} {digits(4)} {digits(4)} {digits(4)} {digits(2)}.",
    lambda: f"FedEx {digits(12)} delivered.",
    lambda: f"The card ending in {digits(4)} was declined; please use another one.",
    lambda: f"Test with 4111 1111 1111 111{R.choice('02345678')} (fails Luhn on purpose).",
    lambda: f"Part no. {R.randint(900, 999)}-{digits(2)}-{digits(4)} is discontinued.",
    lambda: f"Reference 666-{digits(2)}-{digits(4)} and 000-{digits(2)}-{digits(4)} are placeholders.",
    lambda: f"ZIP code {digits(5)}-{digits(4)}, suite {R.randint(100, 999)}.",
    lambda: f"Price went from ${R.randint(1, 9)},{digits(3)}.{digits(2)} to ${R.randint(1, 9)},{digits(3)}.99.",
    lambda: f"pi is about 3.{digits(8)} and e about 2.{digits(8)}.",
    lambda: f"Coordinates {R.randint(-80, 80)}.{digits(4)}, {R.randint(-170, 170)}.{digits(4)}.",
    lambda: f"Service listens on 127.0.0.1:{R.randint(1024, 65000)} and 0.0.0.0:{R.randint(1024, 9000)}.",
    lambda: f"Use netmask 255.255.{R.choice(['255.0', '0.0', '255.128', '255.240'])} for the subnet.",
    lambda: f"Invalid address {R.randint(256, 999)}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(0, 255)} was rejected.",
    lambda: f"MAC {':'.join(rs('0123456789ABCDEF', 2) for _ in range(6))} is the NIC.",
    lambda: "std::vector<int>::iterator it = v.begin(); auto x = a::b::c();",
    lambda: f"Run it at {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} every day.",
    lambda: f"CVE-{R.randint(2015, 2026)}-{digits(R.choice([4, 5]))} affects versions before {R.randint(1, 3)}.{R.randint(0, 9)}.",
    lambda: f"See RFC {R.randint(791, 9999)} section {R.randint(1, 9)}.{R.randint(1, 9)}.",
    lambda: f"Set OPENAI_API_KEY=sk-... (your key) and AKIA{'X' * R.randint(4, 10)} as placeholders.",
    lambda: "Replace YOUR_API_KEY and <password> with real values; never commit them.",
    lambda: f"pip install scikit-learn=={R.randint(0, 1)}.{R.randint(0, 9)}.{R.randint(0, 9)} (sk-learn alias)",
    lambda: f"-----BEGIN PUBLIC KEY-----\n{rs(B64, 64)}\n{rs(B64, 40)}\n-----END PUBLIC KEY-----",
    lambda: f"-----BEGIN CERTIFICATE-----\n{rs(B64, 64)}\n-----END CERTIFICATE-----",
    lambda: f"Clone with git@github.com:{R.choice(LAST)}/{R.choice(['api', 'web', 'infra'])}.git",
    lambda: f"npm i @types/node@{R.randint(14, 22)}.{R.randint(0, 9)}.{R.randint(0, 9)} and follow @{R.choice(FIRST)} on the forum.",
    lambda: f"Connect to postgres://localhost:5432/{R.choice(['app', 'test'])} and https://{R.choice(LAST)}@example.com/repo.",
    lambda: "The base64 of the greeting is " + b64_greeting() + ".",
    lambda: f"Pod {R.choice(['nginx', 'api', 'worker'])}-{rs('bcdfghjklmnpqrstvwxz2456789', 10)}-{rs('bcdfghjklmnpqrstvwxz2456789', 5)} restarted {R.randint(2, 40)} times.",
    lambda: f"Ticket #{digits(5)}, case {digits(8)}, priority P{R.randint(1, 4)}.",
    lambda: f"Product code QQ {digits(2)} {digits(2)} {digits(2)} E and BG{digits(6)}A are SKUs.",
    lambda: f"Account ID {digits(12)} in region eu-west-{R.randint(1, 3)}.",
    lambda: f"Population grew from {R.randint(1, 9)},{digits(3)},{digits(3)} to {R.randint(1, 9)},{digits(3)},{digits(3)}.",
    lambda: f"Call the function with n = {digits(7)} iterations and seed {digits(9)}.",
    lambda: f"The equation {R.randint(2, 9)}x + {R.randint(2, 99)} = {R.randint(100, 999)} has one solution.",
    lambda: f"Lot {digits(3)} {digits(3)} {digits(3)}{digits(1)} was recalled.",
    lambda: f"Batch {R.choice(['A', 'B', 'C'])}{digits(2)}-{digits(5)}-{digits(3)} passed QA.",
    lambda: f"Email the team through the contact form (no address here), or ping #{R.choice(['ops', 'dev'])}.",
    lambda: f"Serial number SN-{rs(UPNUM, 4)}-{rs(UPNUM, 4)}-{rs(UPNUM, 4)}.",
    lambda: f"GB{digits(2)} is the prefix, but GB00 ABCD 1234 is not a full IBAN.",
    lambda: f"Firmware version {R.randint(1, 9)}.{R.randint(0, 9)}.{R.randint(0, 20)}.{R.randint(1, 200)} is the current one.",
    lambda: f"Set password = <your password> in .env and API_KEY=${{API_KEY}} in CI; max_tokens: {R.choice([1024, 4096, 128000])}.",
    lambda: f"Reset your password: click the link we sent, then set token_limit={R.randint(100, 9000)}.",
    lambda: f"Call hf_hub_download(repo_id=\"{R.choice(LAST)}/model\") and set npm_config_cache=/tmp/npm.",
    lambda: f"apiKey: process.env.OPENAI_API_KEY, password: os.environ[\"DB_PASSWORD\"] ({R.randint(2, 9)} services).",
    lambda: f"Customer no. 00{R.randint(1, 9)}{digits(1)} {digits(4)} {digits(4)} {digits(4)} and card 4{digits(3)}.{digits(4)}.",
    lambda: f"Flight {R.choice(['LH', 'BA', 'AF'])}{R.randint(100, 9999)} departs gate B{R.randint(1, 60)}.",
    lambda: f"Exchange {R.randint(1, 99)}.{digits(2)} EUR at 1.{digits(4)}.",
    lambda: "What is the capital of Australia, and why not Sydney?",
    lambda: "Write a haiku about autumn leaves and a quiet river.",
    lambda: f"Sort these numbers: {', '.join(str(R.randint(1, 99999)) for _ in range(8))}.",
]


def main():
    rows = []
    n_each = 300
    gens = GENERATORS * (n_each // len(GENERATORS) + 1)
    for i in range(n_each):
        text, planted = sensitive_prompt(gens[i])
        rows.append({"label": "sensitive", "text": text, "planted": planted})
    shapes = NEGATIVE_SHAPES * (n_each // len(NEGATIVE_SHAPES) + 1)
    R.shuffle(shapes)
    for i in range(n_each):
        text = shapes[i]()
        if R.random() < 0.3:
            text = R.choice(["Quick question: ", "From the runbook: ", "Context:\n"]) + text
        rows.append({"label": "clean", "text": text, "planted": []})
    for i, r in enumerate(rows):
        r["id"] = i
        sys.stdout.write(json.dumps({"id": i, "label": r["label"], "text": r["text"],
                                     "planted": r["planted"]}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
