"""Answers to the maturity questionnaire: the answers file and the question-by-question flow."""
