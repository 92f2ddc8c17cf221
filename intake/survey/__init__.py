"""The bemötande survey (brukarenkät): question sets, statistics, small-group suppression,
free-text screening and invitation rules. Plain domain code: codes and numbers, never sentences.
"""
