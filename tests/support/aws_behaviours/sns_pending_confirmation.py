"""SNS: a subscription that needs confirming receives nothing until confirmed.

What AWS does: Subscribe to an `email`, `email-json`, `http` or `https`
endpoint, or to an endpoint owned by another account, creates a subscription
that stays unconfirmed until the endpoint's owner confirms it (the link in
the confirmation message, which calls ConfirmSubscription with the message's
token). Until then nothing published to the topic reaches it: ListSubscriptions
and ListSubscriptionsByTopic show its `SubscriptionArn` as
`PendingConfirmation`, and Subscribe answers `pending confirmation` instead
of an ARN (unless `ReturnSubscriptionArn` is true). Endpoints of the topic's
own account that need no confirmation (`sqs`, `lambda`, `firehose`, `sms`,
`application`) are confirmed at once.
- https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
- https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
- https://docs.aws.amazon.com/sns/latest/api/API_ConfirmSubscription.html
- https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html

What moto 5.2.1 does instead: every subscription is confirmed at once and
listed with its ARN, so a topic whose only subscriber never confirmed looks
like it notifies someone.

Tests play the recipient who follows the link: ConfirmSubscription with the
topic's ARN and `Token` = the pending subscription's endpoint confirms it
(on AWS the token is a random string sent to the endpoint).
"""

NEEDS_CONFIRMATION = ("email", "email-json", "http", "https")
PENDING = "PendingConfirmation"


def _needs_confirmation(sub):
    if sub.protocol in NEEDS_CONFIRMATION:
        return True
    # An SQS queue or Lambda function of another account confirms by itself
    # only when that account subscribes it; moto's caller owns the topic.
    parts = sub.endpoint.split(":")
    if sub.protocol in ("sqs", "lambda") and len(parts) > 4 and parts[0] == "arn":
        return parts[4] != sub.topic.account_id
    return False


def patch():
    from moto.sns.exceptions import SNSInvalidParameter
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    def subscription_arn(self):
        return PENDING if getattr(self, "_moat_pending", False) else self.arn

    # moto's serializer reads `subscription_arn` before the object's `arn`.
    Subscription.subscription_arn = property(subscription_arn)

    original_subscribe = SNSBackend.subscribe

    def subscribe(self, topic_arn, endpoint, protocol):
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        sub = original_subscribe(self, topic_arn, endpoint, protocol)
        if existing is None and _needs_confirmation(sub):
            sub._moat_pending = True
            sub.confirmed = False
            sub.attributes["PendingConfirmation"] = "true"
        return sub

    SNSBackend.subscribe = subscribe

    original_subscribe_response = SNSResponse.subscribe

    def subscribe_response(self):
        result = original_subscribe_response(self)
        returns_arn = str(self._get_param("ReturnSubscriptionArn") or "").lower() == "true"
        sub = self.backend._find_subscription(
            self._get_param("TopicArn"),
            self._get_param("Endpoint"),
            self._get_param("Protocol"),
        )
        if sub is not None and getattr(sub, "_moat_pending", False) and not returns_arn:
            from moto.core.responses import ActionResult

            return ActionResult({"SubscriptionArn": "pending confirmation"})
        return result

    SNSResponse.subscribe = subscribe_response

    def confirm_subscription(self):
        from moto.core.responses import ActionResult

        topic_arn = self._get_param("TopicArn")
        token = self._get_param("Token")
        topic = self.backend.get_topic(topic_arn)
        for sub in self.backend._get_topic_subscriptions(topic):
            if getattr(sub, "_moat_pending", False) and sub.endpoint == token:
                sub._moat_pending = False
                sub.confirmed = True
                sub.attributes["PendingConfirmation"] = "false"
                return ActionResult({"SubscriptionArn": sub.arn})
        raise SNSInvalidParameter("Invalid token")

    SNSResponse.confirm_subscription = confirm_subscription
