"""Small built-in lists of common US given names and surnames (lower case).

They make the name heuristics surer ("John Smith" with no cue around it); they
are not a gazetteer and are not meant to be complete. Names that are also
everyday words, months or places sit in :data:`AMBIGUOUS_FIRST` and only count
next to a cue or a known surname.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (keeps the lists compact)."""
    return frozenset(text.split())


FIRST_NAMES: frozenset[str] = _words(
    """
    aaron abigail adam adrian aiden alan albert alex alexander alexandra alice alicia
    allison amanda amber amy andrea andrew angela anna anne anthony antonio ashley
    barbara benjamin betty beverly billy brandon brenda brian brittany bruce bryan
    carlos carl catherine charles charlotte cheryl christian christina christine
    christopher cynthia daniel danielle david deborah debra denise dennis diana diane
    donald donna dorothy douglas dylan edward elizabeth emily emma eric ethan eugene
    evelyn frances gabriel gary george gerald gloria gregory hannah harold heather
    helen henry isabella jacob jacqueline james janet janice jason jeffrey jennifer
    jeremy jerry jesse jessica joan joe john jonathan jose joseph joshua joyce juan
    judith judy julia julie justin karen katherine kathleen kathryn kayla keith
    kelly kenneth kevin kimberly kyle larry laura lauren linda lisa lori louis
    madison margaret maria marie marilyn martha mary matthew megan melissa michael
    michelle nancy natalie nathan nicholas nicole noah olivia pamela patricia
    patrick paul peter philip rachel ralph raymond rebecca richard robert roger
    ronald russell ryan samantha samuel sandra sara sarah scott sean sharon shirley
    sophia stephanie stephen steven susan teresa theresa thomas timothy tyler
    victoria vincent virginia walter wayne william willie zachary
    ahmed ali fatima mohammed muhammad priya raj wei mei hiroshi yuki jose luis
    miguel sofia lucia mateo diego carmen rosa elena ana
    jane ann kate beth tom tim jim mike dave steve chris matt dan sam ben nick tony jon
    ted lucy ella mia ava chloe zoe liam oliver elijah lucas leo owen caleb isaac
    anita xavier omar hassan yusuf aisha amir leila nadia ivan olga dmitri sergei
    """
)

# Given names that are also months, words or places: a cue or a known
# surname must back them up ("May" the month, "Will" the verb).
AMBIGUOUS_FIRST: frozenset[str] = _words(
    """
    april august june may summer autumn winter
    will bill mark grace hope faith joy art guy pat sue rich bob ray jack
    frank jean carol gene dawn don rose lily ivy iris violet ruby pearl amber
    crystal destiny heaven honor chase hunter mason carter tyler logan austin
    dallas houston jordan georgia paris florence savannah sydney chelsea
    brooklyn charlie max rusty sandy misty stormy sunny
    """
)

SURNAMES: frozenset[str] = _words(
    """
    smith johnson williams brown jones garcia miller davis rodriguez martinez
    hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin
    lee perez thompson white harris sanchez clark ramirez lewis robinson walker
    young allen king wright scott torres nguyen hill flores green adams nelson
    baker hall rivera campbell mitchell carter roberts gomez phillips evans turner
    diaz parker cruz edwards collins reyes stewart morris morales murphy cook
    rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos
    kim cox ward richardson watson brooks chavez wood james bennett gray mendoza
    ruiz hughes price alvarez castillo sanders patel myers long ross foster
    jimenez powell jenkins perry russell sullivan bell coleman butler henderson
    barnes gonzales fisher vasquez simmons romero jordan patterson alexander
    hamilton graham reynolds griffin wallace moreno west cole hayes bryant herrera
    gibson ellis tran medina aguilar stevens murray ford castro marshall owens
    harrison fernandez mcdonald woods washington kennedy wells vargas henry chen
    freeman webb tucker guzman burns crawford olson simpson porter hunter gordon
    mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner
    black robertson boyd rose stone salazar fox warren mills meyer rice schmidt
    garza daniels ferguson nichols stephens soto weaver ryan gardner payne grant
    dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart
    bradley knight elliott cunningham duncan armstrong hudson carroll lane riley
    andrews alvarado ray delgado berry perkins hoffman johnston matthews pena
    richards willis carpenter lawrence sandoval guerrero george chapman rios
    estrada ortega watkins greene nunez wheeler wang li zhang liu yang huang wu
    singh kumar shah khan ali ahmed obrien oconnor murphy kowalski nowak muller
    schneider rossi russo cohen levy goldberg yamamoto tanaka sato suzuki
    """
)

# Capitalised words that follow name cues and precede place suffixes without
# being names: sentence starters, clinical verbs, roles and departments.
STOPWORDS: frozenset[str] = _words(
    """
    a an and or the this that these those his her their its our your my he she they
    it we you i is was are were has had have be been being will would can could
    should may might must do does did not no yes none unknown also then there here
    who whom which what when where why how with without at in on for to from of by
    as per via about after before during today yesterday tomorrow tonight now
    reports reported denies denied states stated presents presented complains
    complained admits admitted notes noted feels felt says said describes described
    endorses endorsed tolerated tolerating refuses refused requests requested
    returns returned arrives arrived agrees agreed understands understood remains
    continues continued appears appeared was seen given taking takes took
    patient patients pt pts name names education instructions history information
    care plan team service services department dept unit floor room bed ward clinic
    hospital center centre office staff provider providers physician physicians
    doctor doctors nurse nurses attending resident residents fellow intern
    pcp md do rn np pa dr mr mrs ms
    cardiology radiology oncology neurology neurosurgery surgery medicine internal
    emergency pediatrics pediatric obstetrics gynecology psychiatry psychology
    orthopedics orthopedic urology nephrology dermatology gastroenterology
    pulmonology endocrinology rheumatology hematology infectious disease
    ophthalmology otolaryngology ent anesthesia anesthesiology pathology pharmacy
    laboratory lab imaging icu ed er or pacu nicu picu ccu sicu micu
    outpatient inpatient ambulatory primary family general community regional
    county university veterans medical surgical dental eye mental behavioral
    health healthcare rehabilitation rehab physical occupational speech therapy
    social work worker case management manager chaplain dietitian nutrition
    urgent walk-in specialty women's children's
    male female man woman boy girl adult child infant baby
    alert oriented awake stable afebrile well good fair poor normal negative
    positive present absent deceased alive unavailable aware notified updated informed
    available involved supportive concerned back again later soon
    cardiologist oncologist neurologist surgeon hospitalist intensivist radiologist
    pathologist psychiatrist pharmacist therapist dietician anesthesiologist
    nephrologist urologist dermatologist pediatrician obstetrician gynecologist
    monday tuesday wednesday thursday friday saturday sunday
    january february march july september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
