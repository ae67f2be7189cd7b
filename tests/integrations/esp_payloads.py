"""Webhook bodies of five ESPs, written for these tests from each ESP's published format.

Addresses are under example.com/.net/.org, IPs in 192.0.2.0/24, ids made up. The SMTP reply
texts are real providers' wordings (facts), with addresses anonymised.
"""

from __future__ import annotations

import json
from typing import Any


def sns(message: dict[str, Any] | str, message_id: str) -> dict[str, Any]:
    """An SNS HTTP notification around an SES event (the event is a JSON *string*)."""
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": "arn:aws:sns:us-east-1:111122223333:ses-events",
        "Message": message if isinstance(message, str) else json.dumps(message),
        "Timestamp": "2026-04-14T08:30:12.118Z",
        "SignatureVersion": "2",
        "Signature": "c2lnbmF0dXJlLW5vdC12ZXJpZmllZC1pbi10aGVzZS10ZXN0cw==",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&x=1",
    }


_MAIL = {
    "timestamp": "2026-04-14T08:30:09.000Z",
    "source": "orders@mail.example.org",
    "sourceArn": "arn:aws:ses:us-east-1:111122223333:identity/example.org",
    "sourceIp": "192.0.2.31",
    "sendingAccountId": "111122223333",
    "messageId": "010001962f1d0a11-aaaabbbb-cccc-dddd-eeee-ffff00001111-000000",
    "destination": ["paul@example.com", "rita@example.net"],
}

# SES identity notification (notificationType), permanent: unknown user.
SES_PERMANENT = sns(
    {
        "notificationType": "Bounce",
        "bounce": {
            "feedbackId": "010001962f1d0b22-1111-2222-3333-444455556666-000000",
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": "paul@example.com",
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 <paul@example.com>: Recipient address "
                    "rejected: User unknown in local recipient table",
                }
            ],
            "timestamp": "2026-04-14T08:30:11.400Z",
            "reportingMTA": "dsn; b224-13.smtp-out.amazonses.com",
            "remoteMtaIp": "192.0.2.44",
        },
        "mail": _MAIL,
    },
    "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a01",
)

# SES "Permanent/General" whose text is a Spamhaus listing of the *sending* IP: a block.
SES_PERMANENT_BUT_BLOCK = sns(
    {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": "rita@example.net",
                    "action": "failed",
                    "status": "5.7.1",
                    "diagnosticCode": "smtp; 554 5.7.1 Service unavailable; Client host "
                    "[192.0.2.31] blocked using zen.spamhaus.org; "
                    "https://www.spamhaus.org/query/ip/192.0.2.31",
                }
            ],
            "timestamp": "2026-04-14T08:30:11.900Z",
        },
        "mail": _MAIL,
    },
    "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a02",
)

# SES event publishing (eventType), transient: mailbox over quota.
SES_TRANSIENT = sns(
    {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Transient",
            "bounceSubType": "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": "rita@example.net",
                    "action": "failed",
                    "status": "4.2.2",
                    "diagnosticCode": "smtp; 452 4.2.2 The email account that you tried to "
                    "reach is over quota. Please direct the recipient to "
                    "https://support.google.com/mail/?p=OverQuotaTemp",
                }
            ],
            "timestamp": "2026-04-14T09:02:40.000Z",
        },
        "mail": {**_MAIL, "tags": {"ses:configuration-set": ["events"]}},
    },
    "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a03",
)

# SES event publishing DeliveryDelay, delivered as raw message delivery (no SNS envelope).
SES_DELAY_RAW = {
    "eventType": "DeliveryDelay",
    "mail": {**_MAIL, "tags": {"ses:configuration-set": ["events"]}},
    "deliveryDelay": {
        "timestamp": "2026-04-14T09:40:00.000Z",
        "delayType": "TransientCommunicationFailure",
        "expirationTime": "2026-04-14T21:30:09.000Z",
        "delayedRecipients": [
            {
                "emailAddress": "paul@example.com",
                "status": "4.4.1",
                "diagnosticCode": "smtp; 421 4.4.1 Connection timed out",
            }
        ],
    },
}

SES_COMPLAINT = sns(
    {
        "notificationType": "Complaint",
        "complaint": {
            "feedbackId": "010001962f2e3f44-5555-6666-7777-888899990000-000000",
            "complaintSubType": None,
            "complainedRecipients": [{"emailAddress": "rita@example.net"}],
            "timestamp": "2026-04-15T07:00:00.000Z",
            "userAgent": "Example Mail Feedback",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2026-04-14T08:31:00.000Z",
        },
        "mail": _MAIL,
    },
    "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a04",
)

SES_SUPPRESSED = sns(
    {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "OnAccountSuppressionList",
            "bouncedRecipients": [{"emailAddress": "paul@example.com"}],
            "timestamp": "2026-04-16T10:00:00.000Z",
        },
        "mail": _MAIL,
    },
    "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a05",
)

SES_SUBSCRIPTION = {
    "Type": "SubscriptionConfirmation",
    "MessageId": "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a06",
    "Token": "2336412f37fb687f5d51e6e2425a8a5870b4e7d1",
    "TopicArn": "arn:aws:sns:us-east-1:111122223333:ses-events",
    "Message": "You have chosen to subscribe to the topic. To confirm, visit the SubscribeURL.",
    "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&x=1",
    "Timestamp": "2026-04-14T08:00:00.000Z",
    "SignatureVersion": "1",
    "Signature": "bm90LXZlcmlmaWVk",
    "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem",
}

SES_VALIDATION = sns(
    "Successfully validated SNS topic for Amazon SES event publishing.",
    "9a1e6a30-0c44-5b1f-8e21-6f3e0d9c1a07",
)

# SendGrid: one POST, an array of events.
SENDGRID_BATCH = [
    {
        "email": "paul@example.com",
        "timestamp": 1776155411,
        "event": "bounce",
        "type": "bounce",
        "bounce_classification": "Invalid Address",
        "status": "5.1.1",
        "reason": "550 5.1.1 The email account that you tried to reach does not exist. Please "
        "try double-checking the recipient's email address for typos or unnecessary spaces.",
        "smtp-id": "<7f3a9c21e0@mail.example.org>",
        "sg_event_id": "Ym91bmNlLTEtOTg3NjU0",
        "sg_message_id": "7f3a9c21e0.filterdrecv-5d8c-1.123.ABCDEF.0",
        "category": "orders",
        "ip": "192.0.2.32",
        "tls": 1,
        "customer_ref": "c-881",
    },
    {
        "email": "rita@example.net",
        "timestamp": 1776155500,
        "event": "bounce",
        "type": "blocked",
        "bounce_classification": "Reputation",
        "reason": "550 5.7.1 Mail rejected by Outlook.com for policy reasons. "
        "A block has been placed against your IP address because we have received complaints "
        "concerning mail coming from that IP address.",
        "smtp-id": "<0b1c2d3e4f@mail.example.org>",
        "sg_event_id": "YmxvY2tlZC0xLTEyMzQ1",
        "ip": "192.0.2.32",
    },
    {
        "email": "omar@example.org",
        "timestamp": 1776155600,
        "event": "deferred",
        "response": "421 4.7.0 [192.0.2.32 15] Our system has detected an unusual rate of "
        "unsolicited mail originating from your IP address. To protect our users from spam, "
        "mail sent from your IP address has been temporarily rate limited.",
        "attempt": "3",
        "smtp-id": "<1c2d3e4f5a@mail.example.org>",
        "sg_event_id": "ZGVmZXJyZWQtMS01NTU1",
    },
    {
        "email": "lena@example.com",
        "timestamp": 1776155700,
        "event": "dropped",
        "reason": "Bounced Address",
        "status": "5.0.0",
        "smtp-id": "<2d3e4f5a6b@mail.example.org>",
        "sg_event_id": "ZHJvcHBlZC0xLTY2NjY",
    },
    {
        "email": "ivan@example.net",
        "timestamp": 1776159000,
        "event": "spamreport",
        "smtp-id": "<3e4f5a6b7c@mail.example.org>",
        "sg_event_id": "c3BhbXJlcG9ydC0xLTc3Nzc",
        "category": ["newsletter", "april"],
    },
    {
        "email": "paul@example.com",
        "timestamp": 1776155401,
        "event": "processed",
        "smtp-id": "<7f3a9c21e0@mail.example.org>",
        "sg_event_id": "cHJvY2Vzc2VkLTEtODg4OA",
    },
]


def mailgun(event_data: dict[str, Any]) -> dict[str, Any]:
    return {
        "signature": {
            "timestamp": "1776155411",
            "token": "9c2f0e81b7d34a6c5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c",
            "signature": "0" * 64,
        },
        "event-data": event_data,
    }


_MG_MESSAGE = {
    "headers": {
        "to": "paul@example.com",
        "message-id": "20260414083009.1.AB12CD@mg.example.org",
        "from": "Orders <orders@example.org>",
        "subject": "Order shipped",
    },
    "attachments": [],
    "size": 3120,
}

MAILGUN_PERMANENT = mailgun(
    {
        "event": "failed",
        "id": "c2VjcmV0LWlkLTAx",
        "timestamp": 1776155411.52,
        "log-level": "error",
        "severity": "permanent",
        "reason": "bounce",
        "recipient": "paul@example.com",
        "recipient-domain": "example.com",
        "envelope": {"sender": "bounce+x@mg.example.org", "transport": "smtp", "targets": "x"},
        "flags": {"is-routed": False, "is-authenticated": True, "is-test-mode": False},
        "delivery-status": {
            "code": 550,
            "enhanced-code": "5.1.1",
            "attempt-no": 1,
            "message": "5.1.1 The email account that you tried to reach does not exist.\n"
            "Please try double-checking the recipient's email address.",
            "description": "",
            "mx-host": "gmail-smtp-in.l.google.com",
            "tls": True,
        },
        "message": _MG_MESSAGE,
        "tags": [],
        "user-variables": {"order": "881"},
    }
)

MAILGUN_TEMPORARY = mailgun(
    {
        "event": "failed",
        "id": "c2VjcmV0LWlkLTAy",
        "timestamp": 1776155700.1,
        "log-level": "warn",
        "severity": "temporary",
        "reason": "generic",
        "recipient": "rita@example.net",
        "delivery-status": {
            "code": 452,
            "enhanced-code": "4.2.2",
            "attempt-no": 2,
            "retry-seconds": 600,
            "message": "Mailbox full",
            "description": "",
            "mx-host": "mx.example.net",
        },
        "message": {**_MG_MESSAGE, "headers": {**_MG_MESSAGE["headers"], "to": "rita@example.net"}},
    }
)

MAILGUN_COMPLAINT = mailgun(
    {
        "event": "complained",
        "id": "c2VjcmV0LWlkLTAz",
        "timestamp": 1776170000.0,
        "log-level": "warn",
        "recipient": "omar@example.org",
        "message": _MG_MESSAGE,
    }
)

MAILGUN_SUPPRESSED = mailgun(
    {
        "event": "failed",
        "id": "c2VjcmV0LWlkLTA0",
        "timestamp": 1776180000.0,
        "log-level": "error",
        "severity": "permanent",
        "reason": "suppress-bounce",
        "recipient": "paul@example.com",
        "delivery-status": {
            "code": 605,
            "message": "",
            "description": "Not delivering to previously bounced address",
        },
        "message": _MG_MESSAGE,
    }
)

POSTMARK_HARD = {
    "RecordType": "Bounce",
    "MessageStream": "outbound",
    "ID": 5512093311,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "orders",
    "MessageID": "8d2c1b0a-9f8e-4d7c-b6a5-0f1e2d3c4b5a",
    "ServerID": 41,
    "Description": "The server was unable to deliver your message (ex: unknown user, mailbox "
    "not found).",
    "Details": "smtp;550 5.1.1 <paul@example.com>: Recipient address rejected: User unknown "
    "in virtual mailbox table",
    "Email": "paul@example.com",
    "From": "orders@example.org",
    "BouncedAt": "2026-04-14T08:30:11.4120000Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "Order shipped",
    "Metadata": {"order": "881"},
}

POSTMARK_TRANSIENT = {
    **POSTMARK_HARD,
    "ID": 5512093399,
    "Type": "Transient",
    "TypeCode": 2,
    "Name": "Message delayed",
    "Description": "The server could not temporarily deliver your message.",
    "Details": "smtp;421 4.7.0 [TSS04] Messages from 192.0.2.33 temporarily deferred due to "
    "unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/"
    "error-codes",
    "Email": "rita@example.net",
    "Inactive": False,
}

# Postmark's own sample complaint uses TypeCode 512; key on RecordType/Type, as parsers must.
POSTMARK_COMPLAINT = {
    "RecordType": "SpamComplaint",
    "MessageStream": "outbound",
    "ID": 5512094400,
    "Type": "SpamComplaint",
    "TypeCode": 512,
    "Name": "Spam complaint",
    "Tag": "welcome",
    "MessageID": "9e3d2c1b-0a9f-4e8d-c7b6-1a2b3c4d5e6f",
    "ServerID": 41,
    "Description": "",
    "Details": "Complaint received via the example.net feedback loop",
    "Email": "omar@example.org",
    "From": "hello@example.org",
    "BouncedAt": "2026-04-15T07:00:00.0000000Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": False,
    "Subject": "Welcome",
}

POSTMARK_AUTORESPONDER = {
    **POSTMARK_HARD,
    "ID": 5512095500,
    "Type": "AutoResponder",
    "TypeCode": 64,
    "Name": "Auto responder",
    "Details": "Out of office until 20 April",
    "Email": "lena@example.com",
    "Inactive": False,
}


def sparkpost_event(**fields: Any) -> dict[str, Any]:
    base = {
        "event_id": "10384756192837465",
        "timestamp": "1776155411",
        "message_id": "0004a1b2c3d4e5f60718",
        "transmission_id": "73012984756102938",
        "sending_ip": "192.0.2.34",
        "friendly_from": "orders@example.org",
        "subject": "Order shipped",
        "rcpt_meta": {},
        "rcpt_tags": [],
    }
    return {"msys": {"message_event": {**base, **fields}}}


SPARKPOST_BATCH = [
    sparkpost_event(
        type="bounce",
        rcpt_to="paul@example.com",
        raw_rcpt_to="Paul@Example.com",
        bounce_class="10",
        error_code="550",
        raw_reason="550 5.1.1 <Paul@Example.com>: Recipient address rejected: User unknown",
        reason="550 5.1.1 ...@... Recipient address rejected: User unknown",
        num_retries="0",
    ),
    sparkpost_event(
        type="delay",
        event_id="10384756192837466",
        rcpt_to="rita@example.net",
        raw_rcpt_to="rita@example.net",
        bounce_class="22",
        error_code="452",
        num_retries="1",
        queue_time="900512",
        raw_reason="452 4.2.2 Mailbox full",
        reason="452 4.2.2 Mailbox full",
    ),
    sparkpost_event(
        type="spam_complaint",
        event_id="10384756192837467",
        rcpt_to="omar@example.org",
        raw_rcpt_to="omar@example.org",
        fbtype="abuse",
        report_by="fbl.example.net",
        report_to="fbl@bounces.example.org",
    ),
    sparkpost_event(
        type="bounce",
        event_id="10384756192837468",
        rcpt_to="lena@example.com",
        raw_rcpt_to="lena@example.com",
        bounce_class="25",
        error_code="554",
        raw_reason="554 5.7.1 recipient address was suppressed due to customer policy",
        reason="554 5.7.1 recipient address was suppressed due to customer policy",
    ),
    {"msys": {"track_event": {"type": "open", "rcpt_to": "ivan@example.net"}}},
]

SPARKPOST_PING = [{"msys": {}}]

# Mailgun's legacy (pre-2018) webhooks: form fields, one event per POST.
MAILGUN_LEGACY_BOUNCED = (
    "event=bounced&recipient=paul%40example.com&domain=mg.example.org&code=550"
    "&error=5.1.1+The+email+account+that+you+tried+to+reach+does+not+exist."
    "&notification=&Message-Id=%3C20260414083009.1.AB12CD%40mg.example.org%3E"
    "&timestamp=1776155411&token=4b1f0c9e2d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b"
    "&signature=" + "0" * 64
).encode()
MAILGUN_LEGACY_DROPPED = {
    "event": "dropped",
    "recipient": "lena@example.com",
    "reason": "hardfail",
    "code": "605",
    "description": "Not delivering to previously bounced address",
    "timestamp": "1776155700",
    "token": "5c2a1d0e9f8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9c",
    "signature": "0" * 64,
}
MAILGUN_LEGACY_COMPLAINED = {
    "event": "complained",
    "recipient": "omar@example.org",
    "domain": "mg.example.org",
    "timestamp": "1776170000",
    "token": "6d3b2e1f0a9c8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0d",
    "signature": "0" * 64,
}
