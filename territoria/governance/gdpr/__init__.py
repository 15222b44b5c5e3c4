"""The GDPR record of processing activities (article 30), linked to the datasets that serve them."""
