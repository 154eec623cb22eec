from tests.conftest import csrf_token


def test_english_switch_translates_the_interface(client):
    assert "Se connecter" in client.get("/auth/login").get_data(as_text=True)
    response = client.post(
        "/language", data={"lang": "en", "next": "/auth/login", "csrf_token": csrf_token(client)}
    )
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Log in" in page and "Password" in page


def test_language_switch_ignores_external_next(client):
    response = client.post(
        "/language",
        data={"lang": "en", "next": "https://evil.example.org/", "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/"
