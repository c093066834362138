"""``madoguchi notices``: send a notice, show its reach, fetch LINE statistics, make VAPID keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Notices to subscribers. Examples: madoguchi notices send --topic bousai --title 件名 --body 本文 "
            "[--area 川崎区] [--channel mail]; madoguchi notices reach 12; madoguchi notices line-stats 12; "
            "madoguchi notices vapid-keys")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="queue a notice to the topic's subscribers")
        send.add_argument("--topic", required=True)
        send.add_argument("--title", required=True)
        send.add_argument("--body", required=True)
        send.add_argument("--link", default="")
        send.add_argument("--area", action="append", help="区/町丁 name (repeatable; none = everyone)")
        send.add_argument("--channel", action="append", help="mail | line | webpush (repeatable; none = all)")
        reach = sub.add_parser("reach", help="sent/failed/clicked per channel of a notice")
        reach.add_argument("notice", type=int)
        stats = sub.add_parser("line-stats", help="fetch LINE's aggregate statistics of a notice")
        stats.add_argument("notice", type=int)
        sub.add_parser("vapid-keys", help="print a new VAPID key pair for NOTICES_VAPID_* settings")

    def handle(self, *args, **opts):
        from madoguchi.notices import services
        from madoguchi.notices.models import Notice

        action = opts["action"]
        if action == "send":
            try:
                notice = services.send_notice(title=opts["title"], body=opts["body"], link=opts["link"],
                                              topic=opts["topic"], areas=opts["area"], channels=opts["channel"],
                                              source="cli")
            except services.NoticeError as exc:
                raise CommandError(exc.message) from None
            n = notice.deliveries.count()
            self.stdout.write(f"notice {notice.pk}: {n} deliveries queued")
        elif action in ("reach", "line-stats"):
            notice = Notice.objects.filter(pk=opts["notice"]).first()
            if notice is None:
                raise CommandError(f"お知らせ {opts['notice']} はありません")
            if action == "line-stats":
                from madoguchi.notices.channels import line

                self.stdout.write(str(line.fetch_statistics(notice)))
                return
            for channel, row in services.reach(notice).items():
                self.stdout.write(f"{channel}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
        else:
            import base64

            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import ec

            key = ec.generate_private_key(ec.SECP256R1())
            private = base64.urlsafe_b64encode(key.private_numbers().private_value.to_bytes(32, "big")).decode().rstrip("=")
            public = base64.urlsafe_b64encode(key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)).decode().rstrip("=")
            self.stdout.write(f"MADOGUCHI_VAPID_PRIVATE_KEY={private}\nMADOGUCHI_VAPID_PUBLIC_KEY={public}")
