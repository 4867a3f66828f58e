from omnidesk.core.changes import EVERYTHING, NOTHING, Changes


def test_union_keeps_every_flag_and_customer():
    a = Changes.of_customers(1, 2)
    b = Changes(reviews=True, customers=frozenset({3}))
    both = a | b
    assert both.customers == {1, 2, 3}
    assert both.reviews and not both.imports
    assert both.touches_customer(3) and not both.touches_customer(4)


def test_list_and_everything_touch_every_card():
    assert Changes(customer_list=True).touches_customer(99)
    assert EVERYTHING.touches_customer(5) and EVERYTHING.touches_list()
    assert NOTHING.empty and not NOTHING.touches_list() and not NOTHING.touches_customer(1)
    assert Changes.of_customers(7).touches_list()


def test_notes_alone_touch_the_notes_not_the_card_or_the_list():
    saved = Changes(notes=frozenset({4}))
    assert saved.touches_notes(4) and not saved.touches_notes(5)
    assert not saved.touches_customer(4) and not saved.touches_list()
    assert (saved | Changes.of_customers(5)).notes == {4}
    assert Changes.of_customers(4).touches_notes(4)  # a card that changed shows its notes again too


def test_settings_touch_every_card_and_list_but_not_the_notes():
    # A new region, zone or currency changes how every phone, date and amount reads.
    changed = Changes(settings=True)
    assert changed.touches_customer(8) and changed.touches_list()
    assert not changed.touches_notes(8)
