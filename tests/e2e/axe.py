"""axe-core accessibility checks, with the axe.min.js bundled in axe-playwright-python (no network)."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING = {"serious", "critical"}

_axe = Axe()


def violations(page, context=None):
    """axe-core's violations on the page as it is now, worst first."""
    results = _axe.run(page, context=context)
    found = results.response["violations"]
    order = ["critical", "serious", "moderate", "minor"]
    return sorted(found, key=lambda v: order.index(v.get("impact") or "minor"))


def describe(violation):
    nodes = "\n".join(
        f"      {' '.join(node['target'])}: {node['failureSummary']}" for node in violation["nodes"][:5]
    )
    return (
        f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})\n{nodes}"
    )


def assert_accessible(page, context=None):
    """Fails on serious or critical violations; moderate and minor ones are left to review."""
    blocking = [v for v in violations(page, context) if v.get("impact") in BLOCKING]
    assert not blocking, f"axe-core: serious or critical violations on {page.url}:\n" + "\n".join(
        describe(v) for v in blocking
    )
