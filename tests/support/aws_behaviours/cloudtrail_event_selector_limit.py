"""At most five basic event selectors per trail.

What AWS does (CloudTrail API Reference, PutEventSelectors: "You can
configure up to five event selectors for each trail"; CloudTrail User Guide,
"Quotas in CloudTrail": event selectors, 5 per trail): a PutEventSelectors
with more than five basic selectors is refused with
InvalidEventSelectorsException, and the trail keeps its selectors.

What moto 5.2.1 does instead: it stores any number of selectors.
"""


def patch():
    from moto.cloudtrail import models
    from moto.core.exceptions import JsonRESTError

    class InvalidEventSelectorsException(JsonRESTError):
        code = 400

        def __init__(self, count):
            super().__init__(
                "InvalidEventSelectorsException",
                f"A trail can have at most 5 event selectors; {count} were given.",
            )

    original = models.CloudTrailBackend.put_event_selectors

    def put_event_selectors(self, trail_name, event_selectors, advanced_event_selectors):
        if event_selectors is not None and len(event_selectors) > 5:
            raise InvalidEventSelectorsException(len(event_selectors))
        return original(
            self,
            trail_name=trail_name,
            event_selectors=event_selectors,
            advanced_event_selectors=advanced_event_selectors,
        )

    models.CloudTrailBackend.put_event_selectors = put_event_selectors
