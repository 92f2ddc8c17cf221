"""One router per area: public pages, sign-in, and one per role."""
