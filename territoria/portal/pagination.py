"""Page windows over a total already counted: the search counts once, the page never recounts."""

from __future__ import annotations

from dataclasses import dataclass

PER_PAGE = 20


@dataclass(frozen=True)
class PageWindow:
    number: int  # 1-based, clamped to the pages that exist
    total: int  # items in the whole result
    per_page: int = PER_PAGE

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def start(self) -> int:
        """1-based position of the first item shown (0 when there is none)."""
        return self.offset + 1 if self.total else 0

    @property
    def end(self) -> int:
        return min(self.offset + self.per_page, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count

    def slice(self, items):
        return items[self.offset : self.offset + self.per_page]


def page_window(total: int, raw_page: str | None, per_page: int = PER_PAGE) -> PageWindow:
    """The window for ``?page=raw_page``; nonsense or out-of-range pages fall back inside."""
    try:
        number = int(raw_page or 1)
    except ValueError:
        number = 1
    pages = max(1, -(-total // per_page))
    return PageWindow(number=min(max(number, 1), pages), total=total, per_page=per_page)
