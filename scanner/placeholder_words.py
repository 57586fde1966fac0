"""The words of placeholder secrets, in the languages mail code is written in: one
vocabulary for the patterns of :mod:`.secrets`, the shapes of
:mod:`.placeholder_secrets` and the password-like names of
:mod:`.python.secret_literals`.

Each word is written as its language spells it and counts in both spellings: as written
and folded (:func:`fold`: lower case, accents dropped; ``contraseña`` and
``contrasena``, ``hasło`` and ``haslo``, ``şifre`` and ``sifre``). The patterns match
either spelling in a value as it is written, so a value's own accents still count
(``Pässword1`` is not the placeholder ``password1``); the sentence shapes fold the
value's words first. Words of other scripts stay as they are (``пароль``, ``密码``). A
word of several (``mot de passe``, ``client secret``) is written with spaces; the
patterns let any separator or none stand there, the word shapes read it run together
(``motdepasse``).
"""

from __future__ import annotations

import unicodedata

# Letters NFKD does not take apart (``ł`` is its own letter, not ``l`` with a mark).
_UNMARKED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss"})


def fold(text: str) -> str:
    """``text`` in lower case without accents: ``Contraseña`` is ``contrasena``."""
    if text.isascii():
        # Nothing to decompose, map or drop (NFKD leaves ASCII as it is): most of the
        # vocabulary, folded at import (about 4 M instructions the long way).
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_UNMARKED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(*lines: str) -> frozenset[str]:
    """The words of ``lines``, each as written and folded."""
    words = [word for line in lines for word in line.split()]
    return frozenset(words) | frozenset(map(fold, words))


def _phrases(*phrases: str) -> frozenset[str]:
    """Words of several words (``mot de passe``), each as written and folded."""
    return frozenset(phrases) | frozenset(map(fold, phrases))


# The word "password" in English, Portuguese, Spanish, Catalan, German, French, Dutch,
# Afrikaans, Italian/Romanian, Polish, Finnish, Estonian, Lithuanian, Swedish, Danish,
# Norwegian, Czech, Slovene, Croatian/Serbian, Hungarian, Turkish, Russian, Greek,
# Hebrew, Arabic, Indonesian/Malay, Vietnamese, Chinese, Japanese and Korean; Chinese
# mail providers call an app
# password an "authorisation code" (授权码). Turkish, Finnish and Hungarian say "your
# password" and "my password" in one word (``şifren``, ``şifreniz``, ``salasanasi``,
# ``jelszavad``): those forms too.
PASSWORD_WORDS = _words(
    "password passwort passwd pass pwd pw passcode passphrase senha contraseña contrasenha",
    "contrasenya clave kennwort mdp wachtwoord parola hasło salasana lösenord adgangskode",
    "passord heslo jelszó şifre пароль 密码 密碼 口令 邮箱密码 授权码 授權碼 パスワード 비밀번호",
    "şifren şifreniz şifrem parolan parolanız parolam salasanasi salasanani jelszavad",
    "jelszavam",
    "sandi lozinka šifra parool geslo slaptažodis wagwoord κωδικός סיסמה",
) | _phrases("mot de passe", "kata sandi", "mật khẩu", "كلمة المرور", "كلمة السر")
# Those and the other words that name a secret.
SECRET_WORDS = (
    PASSWORD_WORDS
    | _words("secret secrets token key keys apikey credential credentials")
    | {"client secret"}
)
# Whose value goes there, said to the reader: "your", "sua", "votre", "dein".
SECOND_PERSON = _words(
    "your yours ur sua seu teu tua tu su vuestro vuestra votre vos ton ta dein deine ihr",
    "ihre tuo vostro vostra je uw jouw senin sizin 你的 您的 anda kamu twoje twój twoja",
    "ваш ваша твой твоя",
) | _phrases("của bạn")
# "my" as a placeholder's author writes it (``my_password``, ``minha_senha``).
FIRST_PERSON = _words("my mi mon mein meu minha benim 我的")
# Words that start a placeholder written as a phrase (``the password``, ``some secret``,
# ``il tuo token``), besides the persons above.
ARTICLES = _words("the some il")
# Words that say "put something here" on their own.
MARKERS = _words(
    "here placeholder example sample dummy fake test testing demo changeme change replace",
    "insert enter fill todo tbd fixme xxx aqui aquí ici hier qui buraya",
)
# Words a placeholder often ends with: "here" (``senha_aqui``, ``token-here``), "change
# me" (``unsafe-dev-key-change-me``).
HERE_WORDS = _words("here aqui aquí acá ici hier buraya changeme changeit replaceme") | {
    "change me",
    "change it",
    "replace me",
}
# Words that describe the field rather than fill it (``tokenvalue``, ``password_string``).
DESCRIPTIONS = _words("value string goes go put type")
# Words that say what, whose or where, in a placeholder's sentence or run of words.
FILLERS = (
    SECOND_PERSON
    | FIRST_PERSON
    | ARTICLES
    | DESCRIPTIONS
    | _words(
        "a an own real actual valid correct mail email e smtp imap pop pop3 exchange outlook",
        "office office365 gmail yahoo hotmail account user username usr login sender from",
        "app application specific generated api access client auth oauth in with me default",
        "new strong secure super very long random to for of is generate create get set",
        "config setting settings env variable var private shared master server service bot",
        "mailbox sendgrid host",
    )
)
# Instructions: "enter", "type", "put", "here", in English, Portuguese, Spanish, Italian,
# French, German and Dutch.
INSTRUCTIONS = _words(
    "enter type insert put fill write add paste replace change set provide input specify",
    "here colocar coloque coloca digite digitar insira inserir preencha preencher escreva",
    "escrever informe informar ponha aqui ingrese ingresa ingresar introduce introduzca",
    "introducir escriba escribe escribir pon poner inserte insertar rellene reemplace acá",
    "inserisci inserire immetti metti mettere scrivi digita sostituisci qui mettre mettez",
    "entrez entrer saisir saisissez insérer insérez écrire écrivez remplacez renseignez",
    "renseigner ici eingeben einfügen eintragen ersetzen hier voer vul invullen",
)
# Words that name the field: a password, an e-mail address, a user. Short words that are
# also ordinary ones (``pass``, ``key``, ``parola``) are left out.
FIELDS = _words(
    "password passwort passwd pwd senha contraseña contrasenya kennwort wachtwoord hasło",
    "salasana lösenord adgangskode passord heslo jelszó şifre passphrase passcode",
    "credential credentials passe email mail username user userid login account usuario",
    "utilisateur benutzer benutzername utente correo courriel",
)


def joined(words: frozenset[str]) -> frozenset[str]:
    """The words run together: ``mot de passe`` as ``motdepasse``."""
    return frozenset(word.replace(" ", "") for word in words)
