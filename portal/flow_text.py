"""The words of the application flow: questions, hints, options and error messages, by code.

``intake.flow`` holds the steps as codes; this module holds their English msgids, translated
at request time.
"""

from __future__ import annotations

from portal.i18n import N_
from portal.i18n import gettext as _

QUESTIONS = {
    "anything_changed": N_("Has anything changed since last month?"),
    "changes": N_("What has changed?"),
    "household_change": N_("Tell us what has changed in your household"),
    "children_days": N_("How many days in %(month)s will each child live with you?"),
    "housing_type": N_("How do you live?"),
    "rent": N_("How much is your rent for %(month)s?"),
    "household_electricity": N_("How much do you pay for household electricity?"),
    "home_insurance": N_("How much do you pay for home insurance each month?"),
    "incomes": N_("What income does %(name)s have in %(month)s?"),
    "pending_benefits": N_("Have you applied for any benefit that has not been decided yet?"),
    "bank_accounts": N_("Which bank accounts do you have, and how much is in them?"),
    "other_assets": N_("Do you own anything else of value?"),
    "costs": N_("Do you have any of these costs for work?"),
    "livsforing": N_("Do you need help with any other cost this month?"),
    "activity": N_("What does %(name)s do during the day?"),
    "other_info": N_("Is there anything else you want us to know?"),
    "contact": N_("How do you want us to contact you?"),
}

CONFIRMS = {
    "children_days": N_("Do the children still live with you this many days?"),
    "housing_type": N_("Do you still live like this?"),
    "rent": N_("Is your rent still %(amount)s?"),
    "household_electricity": N_("Is your household electricity still %(amount)s?"),
    "home_insurance": N_("Is your home insurance still %(amount)s?"),
    "incomes": N_("Does %(name)s still have this income?"),
    "pending_benefits": N_("Is this still right about benefits you have applied for?"),
    "bank_accounts": N_("Do you still have these accounts? Check the balance."),
    "other_assets": N_("Is this still right about what you own?"),
    "costs": N_("Do you still have these costs for work?"),
    "livsforing": N_("Do you still need help with these costs?"),
    "activity": N_("Does %(name)s still do this during the day?"),
    "other_info": N_("Is this still what you want us to know?"),
    "contact": N_("Do you still want us to contact you like this?"),
}

HINTS = {
    "anything_changed": N_(
        "For example a new job, someone moving in or out, a new home or a child leaving school."
    ),
    "household_change": N_(
        "Write who has moved in or out, and when. Your case officer will contact you."
    ),
    "children_days": N_("Count the nights the child sleeps in your home. A whole month is 30."),
    "rent": N_("Write the amount on your rent notice, in kronor."),
    "household_electricity": N_("Leave empty if electricity is included in the rent."),
    "home_insurance": N_("Leave empty if you have no home insurance."),
    "incomes": N_(
        "Write the amount paid out after tax. Fill in only what %(name)s has. Income from "
        "abroad counts too."
    ),
    "pending_benefits": N_(
        "For example housing allowance or sickness benefit. Leave empty if none."
    ),
    "bank_accounts": N_("Write every account, also savings accounts and accounts abroad."),
    "other_assets": N_(
        "For example a car, a house, land, shares or funds. Leave empty if nothing."
    ),
    "costs": N_("Fill in only the costs you have. Leave the others empty."),
    "livsforing": N_(
        "For example emergency dental care, glasses or medicine. Add a receipt or invoice."
    ),
    "activity": N_("Choose all that fit."),
    "other_info": N_("You can leave this empty."),
    "contact": N_("We never write personal details in an e-mail or text message."),
}

SECTIONS = {
    "changes": N_("Changes"),
    "household": N_("Household"),
    "housing": N_("Housing"),
    "income": N_("Income"),
    "assets": N_("Assets"),
    "costs": N_("Costs"),
    "activity": N_("Work and activities"),
    "other": N_("Other"),
}

OPTIONS = {
    # changes
    "work": N_("Work or income"),
    "family": N_("Family: someone moved in or out, or a baby"),
    "housing": N_("Housing: new home or new rent"),
    "school": N_("A child started or left school"),
    "other": N_("Something else"),
    # housing
    "rental": N_("I rent my home"),
    "sublet": N_("I rent second-hand (sublet)"),
    "owned": N_("I own my home (tenant-owned flat or house)"),
    "lodger": N_("I rent a room as a lodger"),
    "homeless": N_("I have no home of my own"),
    # incomes
    "salary": N_("Salary"),
    "unemployment_fund": N_("Unemployment insurance (a-kassa)"),
    "activity_support": N_("Activity support"),
    "establishment_benefit": N_("Establishment benefit"),
    "sickness_benefit": N_("Sickness benefit"),
    "sickness_compensation": N_("Sickness or activity compensation"),
    "parental_benefit": N_("Parental benefit"),
    "student_aid": N_("Student aid (CSN)"),
    "pension": N_("Pension"),
    "housing_allowance": N_("Housing allowance"),
    "child_allowance": N_("Child allowance"),
    "maintenance_support": N_("Maintenance support"),
    "care_allowance": N_("Care allowance"),
    "tax_refund": N_("Tax refund"),
    "swish_other": N_("Swish or other money received"),
    # costs
    "work_travel": N_("Travel to work"),
    "union_fee": N_("Union fee"),
    "unemployment_fund_fee": N_("Unemployment fund fee"),
    "dental_care": N_("Emergency dental care"),
    "glasses": N_("Glasses"),
    "medicine": N_("Medical care or medicine"),
    "infant_equipment": N_("Baby equipment"),
    "moving": N_("Moving"),
    # activities
    "job_seeking": N_("Looking for work with the Public Employment Service"),
    "plan_activity": N_("Taking part in activities in my plan"),
    "sick_leave": N_("On sick leave"),
    "working": N_("Working"),
    "parental_leave": N_("On parental leave"),
    "studying": N_("Studying"),
}

DOCUMENTS = {
    "payslip": N_("Payslip"),
    "rent_notice": N_("Rent notice"),
    "electricity_bill": N_("Electricity bill"),
    "benefit_payment": N_("Payment notice"),
    "unemployment_payment": N_("Payment notice from the unemployment fund"),
    "student_aid": N_("Payment notice from CSN"),
    "pension": N_("Pension payment notice"),
    "bank_statement": N_("Bank statement for the last month"),
    "receipt": N_("Receipt or invoice"),
    "activity_report": N_("Activity report from the Public Employment Service"),
    "medical_certificate": N_("Medical certificate"),
    "unknown": N_("Document"),
}

ERRORS = {
    "choose_one": N_("Choose one of the answers."),
    "choose_at_least_one": N_("Choose at least one answer."),
    "required": N_("Write an answer."),
    "amount_empty": N_("Write an amount in kronor."),
    "amount_format": N_("Write the amount in numbers, for example 7850 or 7 850,50."),
    "amount_negative": N_("The amount cannot be negative."),
    "amount_too_large": N_("The amount is too large. Check that it is right."),
    "income_or_none": N_("Write at least one amount, or tick that there is no income."),
    "none_and_amounts": N_("You wrote amounts and also ticked no income. Choose one."),
    "bank_required": N_("Write the name of the bank."),
    "days_range": N_("Write a number of days from 0 to 31."),
    "describe_other": N_("Write what the other cost is for."),
    "text_too_long": N_("The text is too long. Write at most 2000 characters."),
    "phone_format": N_("Write a mobile number, for example 070-123 45 67."),
    "email_format": N_("Write an e-mail address, for example name@example.com."),
    "confirm": N_("Answer yes, or that it has changed."),
    "declaration": N_("Tick the box to confirm that the information is true."),
    "upload_too_large": N_("%(file)s is too large. A file may be at most %(mb)s MB."),
    "upload_wrong_type": N_(
        "%(file)s is not a photo or a PDF. Choose a JPEG, PNG, HEIC or PDF file."
    ),
    "upload_empty": N_("%(file)s is empty. Choose the file again."),
    "upload_too_many": N_("You can add at most %(count)s files to one application."),
    "upload_disk_full": N_(
        "%(file)s could not be saved because our storage is full. Nothing of it was kept. "
        "Try again later."
    ),
    "upload_infected": N_(
        "%(file)s was not accepted: the virus check found something harmful in it. "
        "Take a new photo of the document, or send another file."
    ),
    "upload_unscanned": N_(
        "%(file)s could not be checked for viruses just now, so it was not saved. "
        "Try again in a few minutes."
    ),
}


def text(table: dict[str, str], key: str, **variables: object) -> str:
    message = table.get(key)
    return _(message, **variables) if message else ""
