"""Placeholder secrets by their shape (issue 22, precision): the words of a sentence that
says what goes there, misspelt or repeated, a value of one or two characters, a template;
real passwords (a word with a number of its own, leetspeak, random) stay secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths
from authsweep.scanner.secrets import is_placeholder

PLACEHOLDERS = [
    # a demo's throwaway password and a note left for later, as a test's ("test1234") is
    "demo",
    "demo1234",
    "FIXME",
    # words that say what goes there, in any case and with any separator
    "PASSWORD_HERE",
    "your-app-password",
    "enter-your-password",
    "insert_password",
    "app_specific_password",
    "SMTP_PASSWORD",
    "EMAIL_PASSWORD",
    "sender_password",
    "enterYourPasswordHere",
    "SENHA_AQUI",
    "super-secret-key",
    "api-key-here",
    "my secret",
    "tokenvalue",
    # run together with whose, "here" or a description, or with a counting number
    "mysecretpassword",
    "yourpassword",
    "seupassword",
    "passwordhere",
    "testpassword123",
    "password1",
    # misspelt or repeated
    "PASSWWORD-KEY-PASSWWORD-KEY",
    "pasword",
    "passwordpassword",
    "abcabcabc",
    # too short to be a password (mail services ask for eight characters at least)
    "x",
    "pw1",
    "123",
    # one or two characters
    "xxxxxxxx",
    "xxxx-xxxx-xxxx-xxxx",
    "********",
    "#######",
    "00000000-0000-0000-0000-000000000000",
    # templates
    "<password>",
    "{password}",
    "{}",
    "%s",
    "changeme",
    # the example values of API schemas and of defaults
    "string",
    "changeit",
    "CHANGE_THIS",
    # a setting's name left where its value goes, whatever its first words
    "device_password",
    "NOTIFY_SMTP_PASS",
    "adminPassword",
    "webmail_secret",
    "${SMTP_PASSWORD}",
    "{{ password }}",
    "your_password",
    "xxxx",
]

SECRETS = [
    # weak passwords people choose: words run together in lower case that say neither
    # whose nor where, a word with a year, leetspeak, a phrase with a number
    "supersecret",
    "mailpassword",
    "secretkey",
    "Mailpassword1",
    "Summer2024!",
    "letmein123",
    "Pässword1",
    "Password_2015",
    "Hunter_2",
    "Stringer2020",
    "ftpSecret2022",
    "Password2015",
    "Summer2019!",
    "Passw0rd!",
    "P@ssw0rd",
    "MyS3cretP4ss",
    "hunter2",
    "letmein",
    "pw12",
    "Pw-1234!",
    "outlook2020",
    "Gmail@123",
    "aB3kd9!xQ",
    "abcd efgh ijkl mnop",
    "Qwerty123",
    "8Fq~Xy1.abcDEF_ghiJKL-mnoPQR0123stuVWx",
    # "password" in Turkish and Finnish with a number of its own
    "Şifre2015!",
    "Salasana2020",
    # and in Indonesian and Croatian, and a name that starts with one of the words
    "Sandi2024!",
    "Lozinka2020",
    "sandiego",
    # typed, not repeated: a separator inside what would be the unit comes only once
    "hgoahg@oa",
    # a name with a number, twice: the account's name as its password
    "pychat01@pychat01",
    "mail2020-mail2020",
]


# Written as an instruction or a field's description, in the languages mail code is
# written in: plain words, an instruction with the field or its owner, or a password,
# e-mail or user word among three or more words.
SENTENCES = [
    "colocar senha do email outlook",
    "colocar senha",
    "Type your email",
    "Type your user id",
    "Enter your password",
    "insert password here",
    "digite sua senha",
    "ingrese su contraseña",
    "inserisci la password",
    "mettre votre mot de passe",
    "Passwort eingeben",
    "Voer je wachtwoord in",
    "Entrez votre e-mail:",
    "senha do email outlook",
    "the outlook account password",
]

# Plain words that give no instruction and name no field: a passphrase, a real secret
# (people use them); an instruction verb alone names nothing to fill.
PASSPHRASES = [
    "correct horse battery staple",
    "enter the dragon",
    "purple monkey dishwasher",
    "pass the salt",
    "Summer 2019 beach",
]


@pytest.mark.parametrize("value", PLACEHOLDERS + SENTENCES)
def test_placeholder_shapes(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", PASSPHRASES)
def test_passphrases_stay_secrets(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize("value", SECRETS)
def test_real_passwords_stay_secrets(value: str) -> None:
    assert not is_placeholder(value)


def test_a_placeholder_password_is_no_hard_coded_secret(tmp_path: Path) -> None:
    """AS105 reports the real password, not the placeholders beside it."""
    script = tmp_path / "send.py"
    script.write_text(
        "import smtplib\n"
        "def send(which):\n"
        "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
        "    server.starttls()\n"
        "    if which == 1:\n"
        "        server.login('me@contoso.com', 'PASSWWORD-KEY-PASSWWORD-KEY')\n"
        "    elif which == 2:\n"
        "        server.login('me@contoso.com', 'SMTP_PASSWORD')\n"
        "    else:\n"
        "        server.login('me@contoso.com', 'Winter2016')\n"
    )
    run = check_paths([str(script)], RunOptions())
    assert [f.span.line for f in run.findings if f.rule == "AS105"] == [10]


def test_a_password_written_as_an_instruction_is_no_hard_coded_secret(tmp_path: Path) -> None:
    """``senha = 'colocar senha do email outlook'`` given to a login is a placeholder;
    the same script with a passphrase or a policy password reports it (AS105)."""
    found = {}
    for value in ("colocar senha do email outlook", "Type your email", *PASSPHRASES[:1]):
        script = tmp_path / "send.py"
        script.write_text(
            "import smtplib\n"
            f"senha = {value!r}\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls()\n"
            "server.login('me@contoso.com', senha)\n"
        )
        run = check_paths([str(script)], RunOptions())
        found[value] = [f.span.line for f in run.findings if f.rule == "AS105"]
    assert found == {
        "colocar senha do email outlook": [],
        "Type your email": [],
        "correct horse battery staple": [2],
    }


def test_a_value_that_spells_its_name_is_no_hard_coded_secret() -> None:
    """``SECRETO = "SECRETO"`` given to a login, ``EMAIL_HOST_PASSWORD =
    "EMAIL_HOST_PASSWORD"`` in Django settings: a name left for a value; ``SENDER_PW =
    "Winter2016"`` beside them is a password."""
    folder = Path(__file__).resolve().parent.parent / "fixtures" / "precision"
    run = check_paths([str(folder / "named_placeholders")], RunOptions())
    assert {(Path(f.path).name, f.span.line) for f in run.findings if f.rule == "AS105"} == {
        ("app.py", 6)
    }


def test_a_long_value_is_not_taken_apart() -> None:
    """Placeholders are short: a long value is judged by the patterns alone, at once."""
    assert not is_placeholder("password" * 100_000)
    assert not is_placeholder("xY" * 500_000)


# One vocabulary (``scanner/placeholder_words.py``) serves the patterns of secrets.py and
# the word shapes of placeholder_secrets.py: a word written with accents, without them,
# run together or apart, in any script, is the same word to both (a value's own accents
# still count: ``Pässword1`` above is a password).
VOCABULARY_PLACEHOLDERS = [
    "contraseña",
    "contrasena",
    "contrasenha",
    "tu_contraseña",
    "tu-contrasena",
    "hasło",
    "HASLO",
    "şifre",
    "lösenord",
    "пароль",
    "パスワード",
    "비밀번호",
    "mot_de_passe",
    "votre mot de passe",
    "motdepasse",
    "client-secret",
    "il_tuo_token",
    "minha_senha",
    "SENHA_AQUÍ",
    "token_aquí",
    "Kennwort hier",
    "deine-passwort",
    # Chinese: the word, "your", and what QQ and 163 mail call an app password
    "你的密码",
    "邮箱密码",
    "授权码",
    # "change me" at the end
    "unsafe-dev-key-change-me",
    # "your password" and "my password" in one word (Turkish, Finnish, Hungarian), and
    # Turkish "your" and "here" around it
    "sifren",
    "şifren",
    "şifreniz",
    "parolanız",
    "salasanasi",
    "jelszavad",
    "senin_şifren",
    "şifreniz_buraya",
    # the word in more languages mail scripts are written in, alone or with "your"
    # (Indonesian, Vietnamese, Croatian, Polish, Russian, Greek, Hebrew, Arabic, ...)
    "sandi",
    "kata sandi",
    "password_anda",
    "sandi_kamu",
    "mật khẩu",
    "mat_khau",
    "lozinka",
    "šifra",
    "twoje_hasło",
    "ваш_пароль",
    "κωδικός",
    "סיסמה",
    "كلمة المرور",
    "parool",
    "geslo",
    "slaptažodis",
]


@pytest.mark.parametrize("value", VOCABULARY_PLACEHOLDERS)
def test_one_vocabulary_in_every_spelling(value: str) -> None:
    assert is_placeholder(value)


def test_a_weak_password_run_together_is_a_hard_coded_secret(tmp_path: Path) -> None:
    """``mailpassword`` and ``supersecret`` given to a login are AS105 (weak passwords
    people do choose); ``yourpassword`` and ``SMTP_PASSWORD`` beside them are not."""
    script = tmp_path / "send.py"
    script.write_text(
        "import smtplib\n"
        "smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
        "smtp.starttls()\n"
        "smtp.login('a@contoso.com', 'mailpassword')\n"
        "smtp.login('b@contoso.com', 'supersecret')\n"
        "smtp.login('c@contoso.com', 'yourpassword')\n"
        "smtp.login('d@contoso.com', 'SMTP_PASSWORD')\n"
    )
    run = check_paths([str(script)], RunOptions())
    assert sorted(f.span.line for f in run.findings if f.rule == "AS105") == [4, 5]


def test_a_settings_name_is_no_hard_coded_secret(tmp_path: Path) -> None:
    """``'webmail_password'`` given to a login is the name of a setting left for its
    value; ``'Password_2015'`` (a number last) is a password."""
    script = tmp_path / "send.py"
    script.write_text(
        "import smtplib\n"
        "smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
        "smtp.starttls()\n"
        "smtp.login('a@contoso.com', 'webmail_password')\n"
        "smtp.login('b@contoso.com', 'Password_2015')\n"
    )
    run = check_paths([str(script)], RunOptions())
    assert [f.span.line for f in run.findings if f.rule == "AS105"] == [5]


def test_a_password_too_short_for_any_service_is_no_hard_coded_secret(tmp_path: Path) -> None:
    """``send("a@contoso.com", "x")`` to a wrapper that logs in: ``"x"`` stands for a
    password (it was AS105); ``"Winter2016"`` in its place is one."""
    found = {}
    for value in ("x", "Winter2016"):
        script = tmp_path / "send.py"
        script.write_text(
            "import smtplib\n"
            "def send(user, password):\n"
            "    smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
            "    smtp.starttls()\n"
            "    smtp.login(user, password)\n"
            f"send('a@contoso.com', {value!r})\n"
        )
        run = check_paths([str(script)], RunOptions())
        found[value] = [f.span.line for f in run.findings if f.rule == "AS105"]
    assert found == {"x": [], "Winter2016": [6]}


WEAK_BUT_REAL = ["supersecret", "mailpassword", "Summer2024!", "Password2015", "P@ssw0rd"]
WEAK_BUT_REAL += ["letmein123"]
STAND_INS = ["your_password", "<password>", "changeme", "xxxx", "Type your email"]
STAND_INS += ["colocar senha", "${SMTP_PASSWORD}", "{{ password }}"]
STAND_INS += ["password_anda", "mật khẩu", "lozinka"]


def test_weak_passwords_are_reported_and_stand_ins_are_not(tmp_path: Path) -> None:
    """Each value as a login's literal password to Microsoft 365: the weak but real ones
    are AS105, the instructions and templates are not."""
    lines = ["import smtplib", "smtp = smtplib.SMTP('smtp.office365.com', 587)", "smtp.starttls()"]
    values = WEAK_BUT_REAL + STAND_INS
    lines += [f"smtp.login('user{n}@contoso.com', {value!r})" for n, value in enumerate(values)]
    script = tmp_path / "send.py"
    script.write_text("\n".join(lines) + "\n")
    run = check_paths([str(script)], RunOptions())
    reported = {values[f.span.line - 4] for f in run.findings if f.rule == "AS105"}
    assert reported == set(WEAK_BUT_REAL)


def test_your_password_in_one_word_is_a_placeholder(tmp_path: Path) -> None:
    """A Turkish script's ``login("senin mail adresin", "sifren")`` ("your mail address",
    "your password") is a login to report (AS101), not a hard-coded secret; a Turkish
    password with a number of its own beside it is one (AS105)."""
    script = tmp_path / "mailgonderme.py"
    script.write_text(
        "import smtplib\n"
        "mail = smtplib.SMTP('smtp.office365.com', 587)\n"
        "mail.starttls()\n"
        "mail.login('senin mail adresin', 'sifren')\n"
        "mail.login('ali@contoso.com', 'Şifre2015!')\n"
    )
    run = check_paths([str(script)], RunOptions())
    assert sorted((f.span.line, f.rule) for f in run.findings if f.rule.startswith("AS10")) == [
        (4, "AS101"),
        (5, "AS101"),
        (5, "AS105"),
    ]
