"""Lists of common US given names and surnames (lower case).

They make the name heuristics surer ("John Smith" with no cue around it); they
are not a gazetteer and are not meant to be complete. Names that are also
everyday words, months or places sit in :data:`AMBIGUOUS_FIRST` and only count
next to a cue or a known surname.

Besides the short hand-made lists, the ``_CENSUS_*`` blocks hold the most
frequent names of the US Census Bureau's 1990 name-frequency files (public
domain): the 1,000 most frequent female and 600 most frequent male given
names, and the 3,000 most frequent surnames. A census name that is also a
lower-case English word (in the ``wamerican`` word list: "grant", "hazel",
"brown", "stone") went to :data:`AMBIGUOUS_FIRST` or :data:`SURNAME_WORDS`
instead, which only count where a cue already points at a name.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (keeps the lists compact)."""
    return frozenset(text.split())


_FIRST: frozenset[str] = _words(
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
_AMBIGUOUS: frozenset[str] = _words(
    """
    april august june may summer autumn winter
    will bill mark grace hope faith joy art guy pat sue rich bob ray jack
    frank jean carol gene dawn don rose lily ivy iris violet ruby pearl amber
    crystal destiny heaven honor chase hunter mason carter tyler logan austin
    dallas houston jordan georgia paris florence savannah sydney chelsea
    brooklyn charlie max rusty sandy misty stormy sunny
    """
)

_SURNAMES: frozenset[str] = _words(
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

# --- US Census 1990 name-frequency files (see the module documentation) ---

_CENSUS_FIRST: frozenset[str] = _words(
    """
    abby abel abraham ada addie adela adele adeline adolfo adriana adrienne agnes agustin
    aida aileen aimee al alana alba alberta alberto alejandra alejandro alexandria alexis
    alfonso alfred alfreda alfredo alisa alisha alison alissa allan allen allie allyson alma
    alonzo alta althea alton alvin alyce alyson alyssa amalia amelia amie amos amparo
    anastasia andre andres andy angelia angelica angelina angeline angelique angelita angelo
    angie annabelle annette annie annmarie antoine antoinette anton antonia araceli archie
    arlene arline armando arnold arthur arturo ashlee aubrey audra audrey augusta aurelia
    aurora avis barbra barry bart beatrice beatriz becky belinda benita benito bennie benny
    bernadette bernadine bernard bernice bert berta bertha bertie bessie bethany betsy bette
    bettie bettye beulah beverley bianca billie blaine blake blanca blanche bobbi bobbie
    bonita boyd bradford bradley brady brandi brandie brendan brent bret brett briana
    brianna bridget bridgett bridgette brigitte britney brittney brooke bryant bryce burton
    byron caitlin callie calvin cameron camille candace candice cara carey carissa carla
    carlene carlton carly carmela carmella carole carolina caroline carolyn carrie carroll
    cary casandra casey cassandra cassie catalina cathleen cathryn cathy cecelia cecil
    cecile cecilia cedric celeste celia celina cesar chandra charlene charmaine chasity
    cheri cherie chester christa christi christie christy chrystal cindy claire clara clare
    clarence clarice clarissa clark claude claudette claudia claudine clayton cleo cleveland
    clifford clifton clint clinton clyde cody coleen colette colin concepcion concetta
    connie conrad constance consuelo cora corey corina corine corinne cornelia cornelius
    corrine cory courtney craig cristina curtis damian damien damon dana danny daphne darcy
    darin darla darlene darnell darrel darrell darren darrin darryl darwin daryl deana deann
    deanna deanne debbie debora dee deena deidre deirdre delbert delia della delores deloris
    demetrius dena denis derek desiree desmond devin devon dewayne dewey dexter diann dianna
    dianne dina dionne dixie dollie dolores domingo dominic dominick dominique dona donnie
    dora doreen doris dorothea dorthy doug doyle duane dustin dwayne dwight earlene earline
    earnestine eddie edgar edith edmond edmund edna eduardo edwin edwina effie efrain eileen
    elaine elba elbert eldon eleanor eli elias elinor elisa elisabeth elise eliza ellen
    elliot elliott ellis elma elmer elnora eloise elsa elsie elton elva elvia elvin elvira
    emanuel emil emilia emilio emmanuel emmett enid enrique erica erick ericka erik erika
    erin erma erna ernest ernestine ernesto ernie ervin erwin esmeralda esperanza essie
    esteban estela estella estelle esther ethel etta eugenia eula eunice eva evan evangelina
    evangeline everett fannie fay faye felecia felicia felipe felix fernando florine flossie
    floyd forrest fran francesca francine francis francisca francisco frankie franklin fred
    freda freddie freddy frederick fredrick freida frieda gabriela gabrielle gail garrett
    garry gayle gena geneva genevieve geoffrey georgette georgina geraldine gerard gerardo
    gertrude gilbert gilberto gilda gina gladys glenda glenn glenna goldie gordon gracie
    graciela grady greg gregg gregorio greta gretchen grover guadalupe guillermo gustavo
    gwen gwendolyn haley hallie hans harlan harley harriet harriett harrison harvey hattie
    heidi helena helene helga henrietta herbert herman herminia hester hilary hilda hillary
    hollie horace howard hubert hugh hugo humberto ian ida ignacio ila ilene imelda imogene
    ina ines inez ingrid ira irene irma irvin irving isabel isabelle ismael israel iva
    jackie jacklyn jaclyn jacquelyn jaime jake jamal jami jamie jana janell janelle janette
    janie janine janis janna jannie jared jarrod javier jayne jeanette jeanie jeanine jeanne
    jeannette jeannie jeannine jeff jeffery jenifer jenna jennie jenny jerald jeremiah jeri
    jermaine jerome jerri jess jessie jesus jewell jill jillian jimmie jo joann joanna
    joanne joaquin jocelyn jodi jodie jody joel joey johanna johnathan johnnie johnny jolene
    jonathon joni jorge josefa josefina josephine josie juana juanita julian juliana
    julianne juliet juliette julio julius justine kaitlin kara kari karin karina karl karla
    karyn kasey katelyn katharine katheryn kathie kathrine kathy katie katina katrina katy
    kay kaye keisha kelley kelli kellie kelsey kelvin kendall kendra kenny kent kenya keri
    kermit kerri kerry kim kimberley kirk kirsten kris krista kristen kristi kristie kristin
    kristina kristine kristopher kristy krystal kurt lacey ladonna lakeisha lakisha lamar
    lamont lana lara latasha latisha latonya latoya laurence lauri laurie laverne lavonne
    lawanda lawrence leah leann leanna leanne leigh lela leland lelia lena lenora lenore
    leola leon leona leonard leonardo leonor leroy lesa lesley leslie lessie lester leta
    letha leticia letitia levi lewis lidia lila lilia lilian liliana lillian lillie lilly
    lina lindsay lindsey lionel liz liza lizzie lloyd lois lola lolita lonnie lora loraine
    loren lorena lorene lorenzo loretta lorie lorna lorraine lorrie lottie lou louella louie
    louisa louise lourdes lowell luann lucile lucille lucinda luella luisa luke lula lupe
    luther luz lydia lyle lynda lynette lynn lynne lynnette mabel mable mack madeleine
    madeline madelyn madge mae magdalena maggie mai malcolm malinda mallory mamie mandy
    manuel manuela mara marc marcella marci marcia marcie marco marcos marcus marcy margery
    margie margo margret marguerite mari marian mariana marianne maribel maricela marietta
    mario marion marisa marisol marissa maritza marjorie marla marlene marlon marquita
    marsha marshall marta martina marty marva marvin maryann maryanne maryellen marylou
    mathew matilda mattie maude maura maureen maurice mavis maxine mayra meagan meghan
    melanie melba melinda melisa melva melvin mercedes meredith merle micah micheal michele
    milagros mildred millicent millie milton mindy minerva minnie miranda miriam mitchell
    mitzi mollie molly mona monica monique monte morgan morris moses muriel murray myra
    myrna myron nadine nanette nannie naomi natalia natasha nathaniel neal neil nelda nell
    nellie nelson nettie neva nichole nicolas nikki nina nita noelle noemi nola nolan nona
    nora norbert noreen norma norman odessa ofelia ola ollie ophelia ora orlando orville
    oscar otis otto pablo paige pam patrica patrice patti paula paulette pauline pearlie
    pedro peggy penelope percy perry pete petra phil phillip phyllis pierre polly preston
    priscilla quentin quinton rachael rachelle rae rafael ramiro ramon ramona randal randall
    randi randolph raquel raul reba rebekah regina reginald rena rene renee reuben reva rex
    reyna reynaldo rhoda rhonda ricardo rickey ricky rita robbie roberta roberto robyn
    rochelle roderick rodger rodney rodolfo rogelio roland rolando ron ronda ronnie
    roosevelt rosalie rosalind rosalinda rosalyn rosanna rosanne rosario roscoe roseann
    rosella rosemarie rosetta rosie roslyn ross rowena roxanne roxie roy royce ruben rudolph
    rudy rufus russel ruth ruthie sabrina sadie sallie salvador salvatore sammy santiago
    santos sasha saul saundra scotty selena selma serena sergio seth shana shane shanna
    shannon shari sharlene sharron shaun shauna shawn shawna sheena sheila shelby sheldon
    shelia shelley shelly sheree sheri sherman sherri sherrie sheryl sidney silvia simon
    simone socorro solomon sondra sonia sonja sonya sophie spencer stacey staci stacie stacy
    stan stanley stefanie stella stephan stewart stuart susana susanna susanne susie suzanne
    suzette sybil sylvester sylvia tabatha tabitha tamara tameka tamera tami tamika tammi
    tammie tammy tamra tania tanisha tanya tara tasha taylor teddy terence teri terra
    terrance terrell terrence terri terrie tessa thelma theodore therese tia tiffany timmy
    tina tisha toby todd tomas tommie tommy toni tonia tonya tracey traci tracie tracy
    travis trent trevor tricia trina trisha trudy twila tyrone tyson ursula valarie valeria
    valerie vance vanessa velma vera verna vernon veronica vicente vicki vickie vicky vilma
    virgie virgil vivian vonda wallace wanda wendell wendi wendy wesley whitney wilbert
    wilbur wilda wilfred wilfredo willa willard williams willis wilma wilson winifred winnie
    winston wm woodrow yesenia yolanda yvette yvonne zelma
    """
)

_CENSUS_AMBIGUOUS_FIRST: frozenset[str] = _words(
    """
    aline angel beryl bobby bonnie brad brandy buddy candy chad charity cherry chuck clay
    colleen curt daisy dale dean derrick dolly drew earl earnest ebony ed ester eve fanny
    fern flora gale garland gay ginger glen grant harry hazel heath hector holly homer jan
    jasmine jasper jay jewel jimmy josh junior ken kitty lacy lance laurel lea lee margarita
    marina martin melody mickey miles myrtle noel olive opal pansy patsy patty penny phoebe
    queen randy rhea rick robin rocky rod roman rosemary sally sherry sterling terry troy
    van victor viola wade warren young
    """
)

_CENSUS_SURNAMES: frozenset[str] = _words(
    """
    aaron abbott abel abernathy abney abraham abrams abreu acevedo acker ackerman acosta
    adair adam adamson adcock addison adkins adler agee aguilera aguirre aiken ainsworth
    akers akins alaniz albert albrecht albright aldrich aldridge alfaro alford alicea allard
    allison allred alonso alonzo alston altman amador amaya ambrose ames amos anaya anders
    andersen andrade andrew anglin anthony aponte applegate aquino aragon arce archuleta
    arellano arevalo armstead arnett arredondo arrington arsenault arthur artis ashby
    ashcraft asher ashley ashton atkins atkinson atwood augustine austin avalos avery avila
    aviles ayala ayers ayres babb babcock baca baer baez baggett bagley bagwell bain baird
    baldwin ballard banda barajas barbee barbosa barbour barclay barfield barger barkley
    barksdale barlow barnard barnett barnhart barr barrera barrett barron barry barth
    bartholomew bartlett bartley barton bassett bateman batts bauer baugh baughman baum
    bauman bautista baxter beal bearden beasley beatty beaty beauchamp beaulieu becerra
    becker beckett beckham beckman beckwith beebe begay begley behrens belanger belcher
    bellamy beltran benavides benavidez benedict benitez benjamin benner benoit benson
    bentley benton berger bergeron bergman berman bermudez bernal bernard bernier bernstein
    berrios bess betancourt bethea betts beverly beyer biddle bigelow biggs billingsley
    bingham blackburn blackman blackmon blackwell blair blake blakely blalock blanchard
    blanco blankenship blanton bledsoe blevins blocker blount blum bobo boggs bohannon
    bolden bolin boling bollinger bolton bonilla bonner booker boone borden bostic boston
    boswell bouchard boucher boudreau boudreaux bourque bowden bowen bowens bowie bowles
    bowser boyce boyer boykin boyle boyles braden bradford bradshaw brady bragg brandon
    brandt branham brannon brantley braswell braun braxton breaux breeden brennan brenner
    brewster briggs brinkley brinson briscoe britt britton brock bronson broome broughton
    broussard brower browne brownlee bruce bruner brunner bruno brunson bryan bryson
    buchanan buckley buckner bueno buffington buford bullard bundy bunn burch burchett
    burdick burgess burgos burk burke burkett burkhart burks burleson burnett burnette
    burney burnham burrell burris burroughs burt burton busch bustamante butterfield byers
    bynum byrd byrne caballero cabral cabrera cagle cahill cain calderon caldwell calhoun
    callahan callaway calloway calvert camacho cameron campos canales canfield cano cantrell
    cantu capps carbone cardenas cardona cardwell carey carlisle carlson carlton carmichael
    carmona carnes carney caron carr carranza carrasco carrillo carrington carson cartwright
    caruso cary casey casillas cason casper cassidy castaneda castellanos cates cathey
    caudill causey cavanaugh cavazos cerda cervantes chacon chadwick chan chaney chang chapa
    chappell charles chastain chatman chavarria chavis cheatham cheney cheng chester
    childers childress childs chisholm cho choate choi chong christensen christenson
    christian christiansen christie christopher christy chu chung churchill cintron cisneros
    clarke clary clayton cleary clemens clements clemons cleveland clevenger clifford
    clifton cline clinton cloutier coates cobb coburn cochran cockrell cody coe coffey
    coffman coker colbert colburn colby coles coley collazo colvin compton conklin conley
    conn connell connelly conner connolly connor connors conrad conroy contreras conway
    cooke cooley cooney copeland corbett corbin corcoran cordero cordova corey corley
    cormier cornelius cornell cornett cornish cornwell coronado correa cortes cortez cosby
    costa costello cottrell coughlin coulter courtney couture covington cowan cowart coyle
    crabtree craig crain cramer crandall crawley creech crenshaw crespo crist crocker
    crockett croft cromwell cronin crosby crouse crowder crowe crowell crowley crum crump
    cuellar cuevas cullen culp culpepper culver cummings cummins curley curran currie
    currier curtis cutler cyr dahl daigle dailey daley dalton daly daniel darby darden
    darnell daugherty david davidson davies davila davison dawkins dawson deaton decker
    dejesus delacruz delaney delarosa delatorre deleon deloach delong deluca delvalle
    dempsey denney dennis dennison denny denson denton devine devore dewey dewitt dias
    dickens dickerson dickinson dickson diehl dietrich dietz diggs dillard dillon dobbins
    dobbs dobson dockery dodd dodson doherty dolan dominguez donahue donald donaldson
    donnelly donovan dooley doran dorman dorsey doss dotson doty dougherty douglas douglass
    dow dowd dowell dowling downey doyle dozier draper driscoll drummond duarte dube dubois
    dubose duckworth dudley duffy dugan duggan dumas dunbar dunham dunlap dupre dupree duran
    durant durbin durham dutton duvall dwyer dyson easley eason easter eastman eaton ebert
    echols eckert edmond edmonds edmondson edward egan eggleston elam eldridge elias elkins
    eller ellington elliot ellison ellsworth elmore elrod ely emerson emmons engel england
    engle english ennis enriquez epperson epps erickson ernst ervin erwin escamilla escobar
    escobedo esparza espinosa espinoza esposito esquivel estep estes etheridge eubanks
    everett everhart ewing ezell fagan fairchild farley farnsworth farr farrar farrell
    farris faulk faulkner faust fay felder feldman feliciano felix felton fennell fenton
    fernandes ferrara ferreira ferrell ferris figueroa finley finn finney fischer fisk fitch
    fitzgerald fitzpatrick flaherty flanagan fleming fletcher florence floyd flynn fogle
    foley fontaine fontenot foote forbes forman forrest forsythe fortier fortin fortner foss
    fournier foust fowler foy fraley france francis francisco franco franklin frantz fraser
    frazier frederick frey friedman fritz frye fuentes fugate fulton fultz gabriel gaddis
    gaffney gagne gagnon gaines gaither galindo gallagher gallardo gallegos gallo galloway
    galvan gamez gandy gann gannon gant gardiner garnett garrett garvin gary gaskins gaston
    gatlin gauthier gavin geary geiger gerber german gibbs gifford gil gilbert gilchrist
    giles gillespie gillette gilley gilliam gilliland gillis gilman gilmore giordano gipson
    girard gleason glenn glover goddard godfrey godwin goetz goff goins goldman goldstein
    gomes gooch goode gooden goodman goodrich goodson goodwin gorman goss gossett gould
    grady graf granger grantham grayson greco greenberg greenfield greenwood greer gregg
    gregory gresham grier griffith griffiths griggs grigsby grimm grissom grogan grossman
    grover grubb grubbs gruber guajardo guerra guevara guidry guillen guillory guinn
    gunderson gunn gunter gurley gustafson guthrie guyton haas hackett hadley hagan hagen
    hager hahn haines hairston haley hamby hamel hamlin hamm hammond hammonds hammons
    hampton han hancock haney hankins hanley hanna hannah hannon hanson harbin hardin
    harding hardison hardman hargrove harkins harley harlow harman harmon harper harrell
    harrington hartley hartman harvey haskins hastings hatcher hatfield hathaway hatton
    hauser hawley hawthorne hayden haynes hayward haywood healy hearn heaton hebert hedrick
    heller helton hemphill hendricks hendrickson hendrix henley henning hensley henson
    herbert herman herndon herrington herrmann herron herzog hess hester hewitt hiatt
    hickman hidalgo higginbotham higgins hightower hilliard hillman hilton himes hines
    hinkle hinojosa hinson hinton hirsch hitchcock hite hobbs hobson hodge hodges hoff
    hoffmann hogue holbrook holcomb holden holland holley holliday hollingsworth hollins
    hollis holloway holm holman holt holton honeycutt hong hooper hoover hopkins hopson
    horne horner horton hoskins houck hough houle houser houston howe howell howland hoyle
    hoyt hubbard huber huddleston hudgins huerta huey huffman huggins hummel humphrey
    humphreys humphries huntley hurd hurley hurst hurtado huston hutchins hutchinson
    hutchison hutson hutton huynh hyatt hyde hyman ibarra ingram inman irby irizarry irvin
    irving irwin isaac isaacs isbell isom israel iverson ivey jacob jacobs jacobsen jacobson
    jacques jameson jamison jansen jaramillo jarrell jarrett jarvis jean jeffers jefferson
    jeffries jennings jensen jernigan jeter jett jewell jordon jorgensen joseph joyce joyner
    juarez judd jude julian jung kahn kaiser kane kang kaplan katz kauffman kaufman kay
    kearney kearns keating keaton keenan keene keith keller kellogg kelsey kemp kendall
    kendrick kenney kenny kent kenyon kern kerns kerr kessler keyes kidd kilgore killian
    kilpatrick kimball kimble kimbrough kincaid kinney kinsey kirby kirk kirkland
    kirkpatrick kiser klein kline knapp knott knowles knox knutson koch koehler koenig
    kohler kolb kraft kramer kraus krause krebs krueger kruger kruse kuhn kurtz kuykendall
    kyle lacey lachance ladd ladner laird lamar lambert lancaster landers landis landrum
    landry lang lange langford langley langston lanier lankford lapointe lara larkin larsen
    larson larue lassiter latham lau laughlin lavoie lawler lawson lawton layne layton le
    leal leary leavitt leblanc ledbetter ledesma ledford leggett lehman lemieux lentz leon
    leonard leone leslie lester levesque levin levine leyva libby liles lilly lim lin
    lincoln lind linder lindquist lindsay lindsey linn linton lipscomb littlefield
    littlejohn livingston lloyd locke lockett lockhart locklear lockwood lofton logan
    logsdon lomax lombardi lombardo london longoria loomis lorenz lott louis lovelace lovell
    lovett lowe lowery lowry loyd lozano lucas lucero ludwig lugo lujan luke lumpkin luna
    lund lundy lunsford lusk luther lutz ly lyle lyles lyman lynn lyon lyons lytle mabry
    macdonald machado macias mack mackenzie mackey macon maddox madison madrid madsen magana
    magee maguire mahan maher mahon mahoney malcolm maldonado mallory malloy malone maloney
    manley mann mansfield manuel marcum marcus marin marino marion markham marlow marquez
    marrero martel martino marvin marx massey mata mathews mathis matlock matos matson
    matthew mattingly mattox mattson mauldin maurer maxwell mayberry mayer mayes mayfield
    maynard mays mcadams mcalister mcallister mcarthur mcbride mccabe mccain mccall mccann
    mccarter mccarthy mccartney mccarty mccauley mcclain mcclellan mcclelland mcclendon
    mccloud mcclure mccollum mccombs mcconnell mccord mccormack mccormick mccoy mccracken
    mccrary mccray mccullough mccurdy mcdaniel mcdermott mcdonough mcdowell mcduffie mcelroy
    mcfadden mcfarland mcgee mcghee mcgill mcginnis mcgovern mcgowan mcgrath mcgraw mcgregor
    mcguire mchenry mchugh mcintosh mcintyre mckay mckee mckenna mckenzie mckinley mckinney
    mckinnon mcknight mclain mclaughlin mclean mclendon mcleod mcmahan mcmahon mcmanus
    mcmillan mcmillian mcmullen mcnair mcnally mcnamara mcneal mcneil mcneill mcnulty mcnutt
    mcpherson mcqueen mcrae mcwhorter mcwilliams meade meador medeiros medrano meehan meeks
    meier mejia melendez melton melvin mena menard mercado mercer meredith merrill merritt
    messer metcalf metz metzger meyers meza michael michaels michaud michel middleton milam
    millard milligan milner milton mims minton miranda mixon mize mobley moeller moffett
    mohr mojica molina monahan monroe montalvo montanez montano montes montgomery montoya
    mooney mora moran moreland morey morin morrell morrison morrissey morse morton moseley
    moser moses mosher mosley mott moulton moya moyer mueller mullen mulligan mullins muncy
    muniz munson murdock murillo murrell murry myles myrick nadeau nagle nance napier naquin
    nash nava navarro naylor neal needham neely neff negrete negron neil nesbitt neumann
    newberry newby newcomb newell newman newsom newsome ng ngo nicholas nicholson nickerson
    nielsen nielson nieto nieves nixon noe nolan noland nolen norman norris norton norwood
    novak noyes nugent nunn oakes oakley ocampo ochoa oconnell odell odom odonnell ogden
    oglesby ohara ojeda okeefe oldham oleary olivares olivas oliver olsen olvera omalley
    oneal oneil oneill ornelas orourke orozco orr osborn osborne osorio otero ott otto
    ouellette overstreet overton owen pacheco padgett padilla paige paine palacios palma
    pappas paquette parham paris parnell parr parra parris parrish parrott patrick patten
    patton paul paulsen paulson paxton payton paz peachey pearce pearson pedersen pederson
    pelletier pemberton pendleton penn pennington peralta perdue pereira perryman petersen
    pettit pfeiffer pham phan phelan phelps phipps pickens pickering pickett pierre pierson
    pimentel pina pineda pinson pitt pittman pitts platt plummer poe poindexter poirier
    polanco polk pollard pollock ponce poole portillo posey potts poulin prado prater
    prather pratt prescott presley pressley preston prewitt pringle pritchard pritchett
    pruett pruitt pryor puckett pugh pullen pulliam purcell purdy purnell purvis putnam pyle
    qualls quarles quezada quigley quinn quinones quintana quintanilla quintero quiroz rader
    radford ragland ragsdale raines rainey ralston ramey ramsey randall randle randolph
    rangel rankin rapp rasmussen ratcliff ratliff raymond rea reagan reardon reaves redd
    redding redman redmond reece reeder rees reese regan reid reilly reiter rendon renner
    renteria reyna reynoso rhoades rhoads rhodes richard richey richmond richter ricker
    ricketts rico riddick ridgeway ridley riggins riggs rinehart ritchie ritter rivas rizzo
    roark robb robbins roberson robert robinette robison robles roby rocha roche rockwell
    rodgers rodrigues rodriquez rojas roland rollins romano romo rooney roper rosa rosado
    rosales rosario rosas rosen rosenberg rosenthal roth roush rowan rowe rowell rowland
    rowley roy rubin rubio rucker rudd rudolph ruffin runyon russ ruth rutherford rutledge
    ryder saavedra sadler saenz salas saldana salgado salinas salisbury sampson sams samuel
    samuels sanborn sanderson sanford santana santiago sapp sargent satterfield saucedo
    sauer saunders saylor scarborough schaefer schaeffer schafer schaffer schell schilling
    schmitt schmitz schofield schrader schreiber schroeder schuler schulte schultz schulz
    schumacher schuster schwab schwartz schwarz scroggins scruggs seay segura seitz selby
    serna serrano seward sewell seymour shackelford shafer shaffer shannon shapiro sharpe
    shea sheehan sheffield shelby sheldon shelley shelton shepard sheppard sheridan sherman
    sherrill sherrod sherwood shipley shipman shipp shirley shockley shuler shultz siegel
    sikes silverman simms simon simons simpkins sinclair singletary sisk sisson sizemore
    skaggs skelton skidmore skinner slade slater sloan slone smalley smallwood sneed snell
    snodgrass snowden solis solomon sommers sorensen sorenson sosa sotelo sousa souza sowell
    spain spangler spann spaulding speer spence spicer spivey sprague springer spruill
    spurlock stacy stafford stahl staley stallings stamper stanfield stanford stanley
    stanton stapleton starkey starks starnes starr staton stclair stearns steele steen
    steiner stephenson stepp stevenson stinson stjohn stockton stoddard stovall stover
    stratton strauss streeter strickland stroud stuart stubbs suarez suggs sumner sutherland
    sutton swafford swann swanson swartz sweeney swenson switzer sykes sylvester tabor
    tackett talbert talbot talley tapia tate tatum teague teel templeton terrell thacker
    thao tharp thayer thibodeau thibodeaux thigpen thomason thomson thorne thornton thorpe
    thurman thurston tidwell tilley tillman timmons tinsley tipton tirado titus tobias tobin
    todd tolbert tolliver tomlin tomlinson tompkins toney torrez toth tovar townsend tracy
    trahan trammell travis traylor trejo trent trevino trimble triplett tripp troutman
    trujillo truong tubbs turpin tuttle tyler tyson ulrich underwood unger upchurch upton
    uribe vail valadez valdes valdez valencia valentin valenzuela valle vance vandyke vang
    vanhorn vann varela varner varney vaughan vaughn vega vela velasco velasquez velazquez
    velez ventura vera vernon vick vickers vidal villalobos villanueva villarreal villegas
    vincent vinson vogel vogt voss vu waddell waggoner wahl waite wakefield walden waldron
    waldrop waller wallis walsh walter walters walton warner washburn waterman waugh webber
    weber webster weems weiner weinstein weiss weldon weller wellman werner wesley westbrook
    westmoreland weston wetzel whalen whaley whatley wheatley whipple whitaker whitehead
    whitfield whitley whitlock whitman whitmore whitney whitson whitt whittaker whitten
    whittington wiggins wilbur wilburn wilcox wiley wilhelm wilkerson wilkes wilkins
    wilkinson wilks willard willett willey william williamson willingham willoughby windham
    winkler winn winslow winstead winston wiseman witherspoon witt wofford wolfe wolff
    wolford womack wong woodall woodard woodruff woodson woodward wooten worley worrell
    worthington wray wyatt wylie wyman wynn xiong yancey yanez yarbrough yates yazzie ybarra
    yeager yee yi yoder york yost youngblood yu zamora zapata zavala zeigler zepeda ziegler
    zimmer zimmerman zuniga
    """
)

# Census surnames that are also everyday words ("Good", "Stone", "Bell"):
# a surname only where a cue already points at a name ("Dr. Good").
SURNAME_WORDS: frozenset[str] = _words(
    """
    alderman alley angel archer arias arroyo ash askew bacon bales ball banks barber barker
    barney baron barrios barrow bass bates battle beach beam bean beard beaver beavers beck
    bender berg best billings bird bishop bland blank bliss block bloom blue boles bond
    bonds bone booth bourgeois bower bowers bowling bowman box branch brand bravo bray
    brewer bridges bright brink brothers browning buck bull bullock bunch burden burger burr
    burrows busby bush butcher butts call camp cannon carrier carver case cash castle
    chamberlain chambers champagne champion chance chandler chase cheek cherry chestnut chin
    chow church clay clement cloud coats collier colon combs comer coon cope corona cote
    cotton couch coy craft crane craven crews crisp crook cross crouch crow curry dale
    darling davenport day deal dean dent diamond dick dickey dill do dodge doe doughty dove
    dowdy downing downs drake drew driver duff duke dukes dunning dye dyer dykes earl early
    east eddy elder emery fair falcon farmer farrow field fields finch fink fish flint flood
    flowers foreman forte fortune fountain frank franks free french friend frost fry fuller
    funk gage gale gallant gamble garland garner garrison gates gay gee gentile gentry
    gibbons gill givens glass gold golden goldsmith good gore grace graves grey grimes gross
    grove groves guy hacker hale ham hammer hand handy hanks harden harder hardy hare harms
    harp harry hatch havens hawk hawks hay hays head heard heath heck helm helms herring
    hickey high hills hinds ho hogan holder hood hook hooker hooks hope hopper horn house
    huff hull hurt ivy jack john johns joiner jolly joy justice keen key keys kinder kitchen
    lackey lacy lake lam lamb lance land law laws lay leach lemon lemons light link little
    lively looney lopes lord love lynch mace madden madrigal main major majors manning
    maples march mark marks marsh masters may mayo mead meadows means medley meek merchant
    miles miner minor mock monk moody moon morrow moss motley muse nettles newton nix noble
    nobles noel north numbers ogle outlaw pace pack pagan page painter parent parish park
    parks parson parsons partridge pate peacock pease peck pence peoples pepper person petty
    pike piper ponder pool pope post potter power powers priest prince proctor queen quick
    rains ransom read rector reedy reeves rich ricks riddle rider ring rivers roach robins
    rock roe roman root rouse royal ruff rush rushing salmon salter sample sands savage
    sawyer scales seal seals seaman sears self sellers sexton shanks sharp shaver shearer
    sheets shell shepherd shields shoemaker shook short shorter sierra silver sims singer
    singleton slaughter sledge small smalls smart smiley snider snow south sowers sparks
    spear spears squires staples stark stein sterling stern steward stiles still stokes
    stoner storey story stout strange street stringer strong stump summers swain swan sweet
    swift tan tang tanner temple terry thorn thrasher trotter trout urban valentine vest
    vigil villa vines wade wagoner wall walls warden ware waters watt watts way weathers
    weeks weir welch welsh wheat whiting wicker wilder wiles wills wing winter winters wise
    withers wolf woody workman wren younger
    """
)

FIRST_NAMES: frozenset[str] = _FIRST | _CENSUS_FIRST
"""Given names that are a name wherever they stand capitalised."""
AMBIGUOUS_FIRST: frozenset[str] = _AMBIGUOUS | _CENSUS_AMBIGUOUS_FIRST
"""Given names that are also words: a name only next to a cue or a surname."""
SURNAMES: frozenset[str] = _SURNAMES | _CENSUS_SURNAMES
"""Surnames that are not everyday words."""

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
    see thanks thank hi hello hey dear sincerely regards greetings there team everyone
    all sir madam colleague colleagues nursing caller callback guarantor member
    members subscriber account insurance transcribed dictated signed date dob mrn
    subject re attn fax phone email pager ordering referring consults consult
    procedures imaging findings impression follow please palliative hospice
    front desk scheduling billing triage registration reception
    self same other pending outside home chart portal agency tbd listed declined
    january february march july september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
