"""What a core write changed, so each screen refreshes only what it shows.

Every core function that writes returns a ``Changes`` (or a result carrying one
as ``.changes``).  The UI's operations bridge emits it once after the write;
screens look at the flags that concern them and ignore the rest.  Flags are
coarse on purpose: a screen that is unsure re-reads, it never shows stale data.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    # Customers whose card (values, sources, notes, pins, timeline) changed.
    customers: frozenset[int] = field(default_factory=frozenset)
    # Customers were added, removed or merged: lists, counts and searches re-read.
    customer_list: bool = False
    # Customers whose notes alone changed: the notes editor re-reads, nothing else redraws
    # (a save made while the user types must not reload the card under their cursor).
    notes: frozenset[int] = field(default_factory=frozenset)
    reviews: bool = False  # the review queue
    imports: bool = False  # import batches, flagged rows
    # Workspace settings: region, zone, currency and trust change how every card and list reads.
    settings: bool = False
    segments: bool = False  # saved segments (names and rules)
    messages: bool = False  # messages, their variants and the brand kit
    campaigns: bool = False  # campaigns and their steps
    everything: bool = False  # a new workspace, a restore: re-read all

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            customers=self.customers | other.customers,
            customer_list=self.customer_list or other.customer_list,
            notes=self.notes | other.notes,
            reviews=self.reviews or other.reviews,
            imports=self.imports or other.imports,
            settings=self.settings or other.settings,
            segments=self.segments or other.segments,
            messages=self.messages or other.messages,
            campaigns=self.campaigns or other.campaigns,
            everything=self.everything or other.everything,
        )

    def touches_customer(self, customer_id: int | None) -> bool:
        """True when the card of ``customer_id`` may show something new."""
        return self.everything or self.customer_list or self.settings or (customer_id in self.customers)

    def touches_list(self) -> bool:
        """True when a list of customers (rows, counts, sort values) may differ."""
        return self.everything or self.customer_list or self.settings or bool(self.customers)

    def touches_notes(self, customer_id: int | None) -> bool:
        """True when the notes of ``customer_id`` may read differently."""
        return customer_id in self.notes or self.everything or self.customer_list or customer_id in self.customers

    @property
    def empty(self) -> bool:
        return self == NOTHING

    @classmethod
    def of_customers(cls, *ids: int, listed: bool = False) -> Changes:
        return cls(customers=frozenset(int(i) for i in ids if i is not None), customer_list=listed)


NOTHING = Changes()
EVERYTHING = Changes(everything=True)
