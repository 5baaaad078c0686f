"""Capitalised words that are not personal identifiers (the leftover check skips them).

The choice, documented in docs/quotes.md: a word is listed here when it names no
person and narrows no interview to a site. That covers the pronoun I, days, months,
holidays, languages and nationalities, countries and census regions, national
agencies and their acronyms (FBI, HSI, NCMEC: every task force works with them, so
they identify no one), justice and social-service acronyms (DA, AUSA, SANE, CPS),
national hotlines and online platforms, and generic words of institution names
("County", "Office", "Sheriff's") — so in "Marlow County Sheriff's Office" only
"Marlow" is flagged, which is the identifying part. US states and cities are NOT
listed: with ten sites, a state names the site. Local acronyms (RPD, MCSO) are not
listed either: they identify an agency; mask them with a pattern or allow them.
"""

from __future__ import annotations


def words(text: str) -> set[str]:
    """The whitespace-separated words of a block of text."""
    return set(text.split())


PRONOUNS = {"I", "I'm", "I've", "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll", "OK", "Okay"}

CALENDAR = words("""
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    May June July August September October November December Christmas Thanksgiving Easter
    Halloween Ramadan Hanukkah Passover Labor Memorial Independence New Year Years Eve Day
    Valentine
    """)

PEOPLES_AND_PLACES = words("""
    English Spanish Latino Latina Latinx Hispanic Indigenous Native American Americans Black
    White Asian African Mexican Mexicans Chinese Vietnamese Korean Filipino Filipina Russian
    Ukrainian Haitian Guatemalan Honduran Salvadoran Central South North East West Northeast
    Northwest Southeast Southwest Midwest Midwestern Coast Gulf America United States US U.S
    USA Mexico Canada China Guatemala Honduras El Salvador Philippines Thailand Nigeria
    Europe Asia Africa Latin Caribbean Arabic French Portuguese Mandarin Cantonese Creole
    Tagalog Thai Christian Catholic Muslim Jewish Baptist Methodist Lutheran Mormon God Lord
    Bible Jesus Church
    """)

NATIONAL_AGENCIES = words("""
    FBI HSI ICE CBP DHS DOJ DOL USCIS IRS DEA ATF USMS OVC BJA OJP NIJ BOP OTIP HHS ACF
    NCMEC Polaris ECM CSEC OVW ORR CPS DCF DCS DSS DFS DHHS USAO AUSA AUSAs AG AGs DA DAs
    ADA ADAs SAUSA SAC ASAC TFO TFOs SVU ICAC CAC CACs SANE SART MDT MOU MOUs BOLO NCIC CJIS
    PD SO DOC TIP VOCA TVPA TVPRA CAST Homeland Security Investigations Federal Bureau
    Attorney Attorney's Attorneys General General's Department Dept Office Offices Division
    Unit Bureau Justice Labor Labor's Wage Hour Center Centers Services Service Human Health
    Administration National Hotline Hotlines Trafficking Resource Coalition Council Task
    Force Forces Sheriff Sheriff's County County's City State State's Police Court Courts
    Juvenile District Superior Circuit Municipal Regional Medical Hospital Clinic School
    Schools High Middle Elementary University College Community Shelter Services
    Department's Office's Patrol Highway Marshals Marshal Border Customs Immigration
    Enforcement Probation Parole Public Defender Defenders Victim Victims Witness Advocacy
    Program Programs Family Families Children Child Youth Protective Social Attorney-General
    Commission Committee Board Street Avenue Road Boulevard Lane Drive Interstate Route
    YMCA YWCA Goodwill Salvation Army Catholic Charities Legal Aid Rotary
    """)

TERMS = words("""
    ER ID IDs EMS DV SA IPV STI STD HIV PrEP GED LGBTQ LGBTQ+ LGBT T U H-2A H-2B T-visa
    T-visas U-visa U-visas Q&A CBT EMDR TF-CBT MAT DUI DUIs DMs DM IP PTSD TBI ADHD SSI SNAP
    TANF WIC HIPAA FERPA GSA Medicaid Medicare ACA CPR ASAP FAQ PDF ID'd Internet Wi-Fi Zoom
    Teams CyberTip CyberTips CyberTipline A B C D E F G H Section Title Phase Part Mr Ms Mrs
    Dr Det Sgt Lt Officer Detective Agent Sergeant Lieutenant Captain Chief Deputy Judge
    Prosecutor Pastor Reverend Father Sister Nurse Coach Doctor Miss Trooper Investigator
    Corporal DOB SSN DMST COVID COVID-19
    """)

PLATFORMS_AND_BRANDS = words("""
    Facebook Instagram Snapchat WhatsApp TikTok Twitter X Craigslist Backpage Skip Games
    CityXGuide Megapersonals Tryst Eros Listcrawler Cash App Venmo PayPal Zelle Apple Pay
    Western Union MoneyGram Greyhound Amtrak Uber Lyft Walmart Google Gmail Microsoft Word
    Excel Outlook Signal Telegram Kik Grindr Tinder Bumble Airbnb Motel Hotel Inn YouTube
    Android iPhone Bitcoin Visa Mastercard OnlyFans Starbucks McDonald's
    """)

COMMON_CAPITALISED = (
    PRONOUNS | CALENDAR | PEOPLES_AND_PLACES | NATIONAL_AGENCIES | TERMS | PLATFORMS_AND_BRANDS
)

# Function words: a capitalised one is never a name, wherever it stands.
FUNCTION_WORDS = words("""
    a an the and but or nor so yet for of to in on at by with from into onto about as than
    then that this these those there here it its it's we we're we've we'd us our you your
    you're they they're them their he she him her his hers who whom whose which what when
    where why how if because since while until although though not no yes yeah some any
    every each all both most more many much few other another such same just also only very
    really well oh okay sorry anyway like maybe mostly usually honestly sure now again be is
    are was were been being do does did done have has had having can could will would shall
    should may might must let let's i'm i've i'd i'll my me mine myself yours yourself ours
    ourselves theirs themselves himself herself itself one ones nobody everybody everyone
    everything somebody someone something anybody anyone anything nothing none whether
    whatever whoever whenever wherever either neither without within also else um umm uh uhm
    hmm mm yep yup nope hey wow huh ah thanks thank please
    """)

# Stop words for the representativeness score: function words plus the filler and
# hedging words every interview is full of, which say nothing about a theme.
STOP_WORDS = frozenset(
    FUNCTION_WORDS | {w.replace("'", "") for w in FUNCTION_WORDS} | words("""
    am isn aren wasn weren don doesn didn haven hasn hadn won wouldn couldn shouldn can't
    cannot got get gets getting go goes going gone went say says said kind sort lot lots
    thing things stuff way ways know think mean guess actually basically probably definitely
    right yeah yes okay gonna wanna even still back over out up down off per via re ll ve
    don't didn't it's that's there's they're we're you're i'm i've i'd what's
    """)
)
