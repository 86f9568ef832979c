"""eSIM onboarding: buy once, reconcile a lost answer instead of buying again, hold each
activation code as a secret, follow installation until each code is used."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from simtools.client import SimClient
from simtools.client.retrying import RetryPolicy
from simtools.errors import ApiError, InvalidInputError, TransportError
from simtools.sandbox import Sandbox, serve
from simtools.workflows.esim import EsimPurchaseUnknown, purchase_esims
from simtools.workflows.esim_onboarding import follow_installation, onboard_esims

PURCHASE = ("POST", "/v2/actions/purchase/esims")


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=30, seed=41) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> Iterator[SimClient]:
    with SimClient(sb.api_key, base_url=sb.base_url) as c:
        yield c


class LosingAnswers(httpx.BaseTransport):
    """Real HTTP to the sandbox, but the answer of each request ``lose`` picks is lost after
    the server performed it (``before_losing`` runs first, as another client would)."""

    def __init__(
        self, lose: Callable[[httpx.Request], bool], before_losing: Callable[[], object] = list
    ) -> None:
        self._real = httpx.HTTPTransport()
        self._lose = lose
        self._before = before_losing

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._real.handle_request(request)
        if not self._lose(request):
            return response
        response.read()
        response.close()
        self._before()
        raise httpx.ReadError("the connection closed before the answer", request=request)

    def close(self) -> None:
        self._real.close()


def is_purchase(request: httpx.Request) -> bool:
    return request.url.path.endswith("/actions/purchase/esims")


def test_onboarding_buys_fetches_every_code_and_shows_none(client: SimClient) -> None:
    """Three eSIMs are bought with their tags; each code is held, and neither the onboarding's
    repr, its HTML, its frame nor its labels' reprs show one."""
    onboarding = onboard_esims(client, 3, tags=["onboarding-test"], status="disabled")
    assert onboarding.purchase.state == "purchased"
    frame = onboarding.frame
    assert frame["activation_code"].tolist() == ["held"] * 3
    assert frame["installation"].tolist() == ["pending"] * 3
    assert frame["tags"].tolist() == [("onboarding-test",)] * 3
    labels = onboarding.labels()
    codes = [label.activation_code.get_secret_value() for label in labels]
    assert all(code.startswith("LPA:1$") for code in codes)
    assert codes == [
        client.get_activation_code(i).activation_code.get_secret_value()  # type: ignore[union-attr]
        for i in onboarding.sim_card_ids
    ]
    shown = [repr(onboarding), onboarding._repr_html_(), frame.to_csv(), repr(labels)]
    shown += [str(label) for label in labels]
    for code in codes:
        assert not any(code in text for text in shown)
        assert not any(code.rsplit("$", 1)[-1] in text for text in shown)


def test_following_installation_drops_the_code_of_an_installed_esim(
    sb: Sandbox, client: SimClient
) -> None:
    """A device installs one of two eSIMs: following shows it installed, its code used and
    gone from the labels; the other still waits with its code held."""
    onboarding = onboard_esims(client, 2, tags=["follow-test"])
    first, second = onboarding.sim_card_ids
    sb.state.enrolment.install_esim(first)
    followed = follow_installation(client, onboarding)
    frame = followed.frame.set_index("sim_card_id")
    assert frame.loc[first, ["installation", "activation_code"]].tolist() == ["installed", "used"]
    assert frame.loc[second, ["installation", "activation_code"]].tolist() == ["pending", "held"]
    assert [label.sim_card_id for label in followed.labels()] == [second]
    assert followed.counts() == {"pending": 1, "installed": 1, "unknown": 0}
    assert [label.sim_card_id for label in onboarding.labels()] == [first, second]


def test_a_lost_purchase_answer_is_reconciled_not_bought_again(sb: Sandbox) -> None:
    """The server bought three eSIMs but the answer was lost: the purchase was sent once, and
    the eSIMs are found by its group, tags and time."""
    transport = LosingAnswers(is_purchase)
    sb.clear_request_log()
    with SimClient(sb.api_key, base_url=sb.base_url, transport=transport) as client:
        purchase = purchase_esims(client, 3, tags=["lost-answer-batch"])
        assert purchase.state == "reconciled"
        assert len(purchase.sims) == 3
        assert {tuple(s.tags or ()) for s in purchase.sims} == {("lost-answer-batch",)}
        assert sb.request_log.count(PURCHASE) == 1
        onboarding = onboard_esims(client, purchase=purchase)
    assert onboarding.frame["activation_code"].tolist() == ["held"] * 3


def test_an_ambiguous_reconciliation_stays_unknown_and_raises(sb: Sandbox) -> None:
    """Another purchase with the same group and tags lands while the answer is lost: six eSIMs
    match, not three, so the outcome stays unknown; the error holds the purchase."""
    group_id = sb.state.default_group_id

    def someone_else_buys() -> None:
        sb.state.enrolment.purchase_esims(3, group_id, "enabled", ["shared-batch"])

    transport = LosingAnswers(is_purchase, someone_else_buys)
    with SimClient(sb.api_key, base_url=sb.base_url, transport=transport) as client:
        with pytest.raises(EsimPurchaseUnknown, match="do not buy again") as info:
            purchase_esims(client, 3, tags=["shared-batch"])
        purchase = info.value.partial
        assert purchase.state == "unknown"
        assert "6 eSIM(s)" in (purchase.reason or "")
        with pytest.raises(InvalidInputError, match="unknown"):
            onboard_esims(client, purchase=purchase)
        assert purchase.reconcile(client).state == "unknown"


def test_a_purchase_that_never_reached_the_server_raises() -> None:
    """A refused connection means nothing was bought: the TransportError is raised as it is."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    transport = httpx.MockTransport(refuse)
    retry = RetryPolicy(attempts=2, initial_wait=0.01)
    with SimClient("KEY0123456789", transport=transport, retry=retry) as client:
        with pytest.raises(TransportError) as info:
            purchase_esims(client, 2)
    assert not info.value.request_sent


def test_a_refused_purchase_buys_nothing(sb: Sandbox, client: SimClient) -> None:
    """An unknown group is refused (422) and no eSIM appears."""
    before = len(sb.state.sims)
    with pytest.raises(ApiError) as info:
        purchase_esims(client, 2, sim_card_group_id="6a09cdc3-8948-47f0-aa62-74ac943d6c58")
    assert info.value.status_code == 422
    assert len(sb.state.sims) == before
