"""CloudTrail event selectors as AWS keeps them.

What AWS does (CloudTrail API Reference, PutEventSelectors and
GetEventSelectors; CloudTrail User Guide, "Logging management events"):
- A trail created without selectors logs every management event, read and
  write, and no data events: GetEventSelectors answers one basic selector
  {ReadWriteType: All, IncludeManagementEvents: true, DataResources: [],
  ExcludeManagementEventSources: []}.
- A trail uses either basic EventSelectors or AdvancedEventSelectors, never
  both: "If you apply AdvancedEventSelectors to a trail, any existing
  EventSelectors are overwritten", and the reverse. Sending both in one
  PutEventSelectors is an InvalidParameterCombinationException.
- GetEventSelectors returns only the kind the trail uses.
- In a basic selector, ReadWriteType defaults to All and
  IncludeManagementEvents to true when absent.

What moto 5.2.1 does instead: a new trail has no selectors at all; putting
basic selectors leaves the advanced ones in place; both kinds are always
returned; absent fields stay absent.
"""

import json

DEFAULT_SELECTOR = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [],
    "ExcludeManagementEventSources": [],
}


def _basic(selectors):
    out = []
    for s in selectors or []:
        s = dict(s)
        s.setdefault("ReadWriteType", "All")
        s.setdefault("IncludeManagementEvents", True)
        s.setdefault("DataResources", [])
        s.setdefault("ExcludeManagementEventSources", [])
        out.append(s)
    return out


def patch():
    from moto.cloudtrail import models, responses
    from moto.cloudtrail.exceptions import InvalidParameterCombinationException

    original_init = models.Trail.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.event_selectors = [dict(DEFAULT_SELECTOR)]
        self.advanced_event_selectors = []

    models.Trail.__init__ = __init__

    def put_event_selectors(self, event_selectors, advanced_event_selectors):
        if event_selectors is not None and advanced_event_selectors is not None:
            raise InvalidParameterCombinationException(
                "Event selectors and advanced event selectors cannot both be specified."
            )
        if advanced_event_selectors is not None:
            self.event_selectors = []
            self.advanced_event_selectors = list(advanced_event_selectors)
        else:
            self.event_selectors = _basic(event_selectors)
            self.advanced_event_selectors = []

    models.Trail.put_event_selectors = put_event_selectors

    def _answer(arn, basic, advanced):
        body = {"TrailARN": arn}
        if advanced:
            body["AdvancedEventSelectors"] = advanced
        else:
            body["EventSelectors"] = basic
        return json.dumps(body)

    def put_response(self):
        params = json.loads(self.body)
        arn, _, _ = self.cloudtrail_backend.put_event_selectors(
            trail_name=params.get("TrailName"),
            event_selectors=params.get("EventSelectors"),
            advanced_event_selectors=params.get("AdvancedEventSelectors"),
        )
        trail = self.cloudtrail_backend.get_trail(params.get("TrailName"))
        return _answer(arn, trail.event_selectors, trail.advanced_event_selectors)

    def get_response(self):
        params = json.loads(self.body)
        arn, basic, advanced = self.cloudtrail_backend.get_event_selectors(
            trail_name=params.get("TrailName")
        )
        return _answer(arn, basic, advanced)

    responses.CloudTrailResponse.put_event_selectors = put_response
    responses.CloudTrailResponse.get_event_selectors = get_response
