"""Domain errors a user can cause: each carries a code and a Chinese message."""


class WorkflowError(Exception):
    code = "workflow_error"
    status = 409

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(WorkflowError):
    """The action is not allowed in the case's current state."""

    code = "not_allowed"


class RoleRefused(WorkflowError):
    """The user's role on this case may not take the action."""

    code = "role_refused"
    status = 403


class Conflict(WorkflowError):
    """Somebody else changed the case first."""

    code = "conflict"


class InvalidInput(WorkflowError):
    code = "invalid_input"
    status = 422
