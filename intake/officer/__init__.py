"""The case officer's side of the domain: from answers to the calculation's case, decision rules
(granted / refused / partly with försörjningshinder), handlingsplan status, the queue's household
types and flags, and egenkontroll samples. Plain domain code: codes, never sentences."""
