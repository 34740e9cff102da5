"""How a category is named wherever it is picked or suggested (forms, dispatch suggestions)."""

UNCONFIRMED = "(待确认)"


def category_label(category) -> str:
    """A category where it can be picked; one an import created says so until confirmed."""
    name = category.full_name or category.name
    return f"{name}{UNCONFIRMED}" if category.unconfirmed else name
