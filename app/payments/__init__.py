"""Payment providers: Stripe Checkout when STRIPE_SECRET_KEY is set, else the local demo."""

from app.config import get_settings


def active_provider() -> str:
    return "stripe" if get_settings().stripe_secret_key else "demo"
