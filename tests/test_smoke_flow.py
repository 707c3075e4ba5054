from harness import page, rows


def test_link_happy_path(staff, visitor, database):
    person = staff.add()
    secret = staff.link(person)
    r = visitor.get(f"/activation/{secret}")
    assert r.status_code == 200
    r = visitor.begin(secret)
    assert r.status_code == 303, r.get_data(as_text=True)
    assert r.headers["Location"].endswith("/etapes/")
    r = visitor.get("/etapes/", follow_redirects=True)
    assert page(r).h1.text == "Charte informatique"
    assert visitor.through_charter().status_code == 303
    assert visitor.through_directory().status_code == 303
    assert visitor.through_mail().status_code == 303
    r = visitor.choose_password()
    assert r.status_code == 303, r.get_data(as_text=True)
    r = visitor.get("/etapes/termine")
    assert r.status_code == 200
    print(page(r).get_text()[:2000])
    assert rows(database, "SELECT status FROM people")[0]["status"] == "active"
