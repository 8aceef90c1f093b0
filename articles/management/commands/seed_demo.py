from django.core.management.base import BaseCommand

from accounts.demo import ensure_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts and demo content. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        rows = ensure_demo_accounts()
        self.stdout.write(self.style.SUCCESS("Demo sign-ins (email / password):"))
        for _username, email, password, role in rows:
            self.stdout.write(f"  {role:<10} {email:<24} {password}")
