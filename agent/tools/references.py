"""Citation strings for every rule the tools apply, in one place so results cite consistently.

Each is checked against REFERENCES.md or the starter library; the wording of rules is ours.
"""

from __future__ import annotations

EPLEY = "Epley B. Poundage Chart. Boyd Epley Workout. Lincoln, NE: Body Enterprises; 1985."
BRZYCKI = (
    "Brzycki M. Strength testing: predicting a one-rep max from reps-to-fatigue. "
    "JOPERD 1993;64(1):88-90. doi:10.1080/07303084.1993.10606684"
)
LOMBARDI = "Lombardi VP. Beginning Weight Training. Dubuque, IA: W.C. Brown; 1989."
MAYHEW = (
    "Mayhew JL, Ball TE, Arnold MD, Bowen JC. Relative muscular endurance performance as a "
    "predictor of bench press strength in college men and women. J Appl Sport Sci Res "
    "1992;6(4):200-206."
)
WATHAN = (
    "Wathan D. Load assignment. In: Baechle TR, ed. Essentials of Strength Training and "
    "Conditioning. Champaign, IL: Human Kinetics; 1994:435-446."
)
ZOURDOS = (
    "Zourdos MC et al. Novel resistance training-specific rating of perceived exertion scale "
    "measuring repetitions in reserve. J Strength Cond Res 2016;30(1):267-275. "
    "doi:10.1519/JSC.0000000000001049"
)
HELMS = (
    "Helms ER, Cronin J, Storey A, Zourdos MC. Application of the repetitions in reserve-based "
    "rating of perceived exertion scale for resistance training. Strength Cond J "
    "2016;38(4):42-49. doi:10.1519/SSC.0000000000000218"
)
RATAMESS = (
    "Ratamess NA et al. ACSM position stand: progression models in resistance training for "
    "healthy adults. Med Sci Sports Exerc 2009;41(3):687-708. doi:10.1249/MSS.0b013e3181915670"
)
NSCA_2FOR2 = (
    "Baechle TR, Earle RW (eds). Essentials of Strength Training and Conditioning (NSCA). "
    "Champaign, IL: Human Kinetics. The 2-for-2 rule."
)
GABBETT = (
    "Gabbett TJ. The training-injury prevention paradox: should athletes be training smarter "
    "and harder? Br J Sports Med 2016;50(5):273-280. doi:10.1136/bjsports-2015-095788"
)
HULIN = (
    "Hulin BT et al. The acute:chronic workload ratio predicts injury: high chronic workload "
    "may decrease injury risk in elite rugby league players. Br J Sports Med 2016;50(4):231-236."
)
WILLIAMS_EWMA = (
    "Williams S, West S, Cross MJ, Stokes KA. Better way to determine the acute:chronic "
    "workload ratio? Br J Sports Med 2017;51(3):209-210. doi:10.1136/bjsports-2016-096589"
)
IMPELLIZZERI = (
    "Impellizzeri FM et al. Acute:chronic workload ratio: conceptual issues and fundamental "
    "pitfalls. Int J Sports Physiol Perform 2020;15(6):907-913. doi:10.1123/ijspp.2019-0864"
)
NIST_POUND = (
    "International yard and pound agreement (1959); NIST SP 811: 1 lb = 0.45359237 kg exactly."
)
RIEBE = (
    "Riebe D et al. Updating ACSM's recommendations for exercise preparticipation health "
    "screening. Med Sci Sports Exerc 2015;47(11):2473-2479. doi:10.1249/MSS.0000000000000664"
)
FLETCHER = (
    "Fletcher GF et al. Exercise standards for testing and training: a scientific statement "
    "from the American Heart Association. Circulation 2013;128:873-934. "
    "doi:10.1161/CIR.0b013e31829b5b44"
)
PARQ = (
    "Warburton DER, Jamnik VK, Bredin SSD, Gledhill N. The Physical Activity Readiness "
    "Questionnaire for Everyone (PAR-Q+) and electronic Physical Activity Readiness Medical "
    "Examination (ePARmed-X+). Health Fit J Can 2011;4(2):3-23."
)
ACOG = (
    "ACOG Committee Opinion No. 804: Physical activity and exercise during pregnancy and the "
    "postpartum period. Obstet Gynecol 2020;135(4):e178-e188. doi:10.1097/AOG.0000000000003772"
)
MOUNTJOY = (
    "Mountjoy M et al. IOC consensus statement on relative energy deficiency in sport (RED-S): "
    "2018 update. Br J Sports Med 2018;52(11):687-697. doi:10.1136/bjsports-2018-099193"
)
PESCATELLO = (
    "Pescatello LS et al. ACSM position stand: exercise and hypertension. Med Sci Sports Exerc "
    "2004;36(3):533-553. doi:10.1249/01.MSS.0000115224.88514.3A"
)
COLBERG = (
    "Colberg SR et al. Physical activity/exercise and diabetes: a position statement of the "
    "American Diabetes Association. Diabetes Care 2016;39(11):2065-2079. doi:10.2337/dc16-1728"
)
BECK = (
    "Beck BR et al. ESSA position statement on exercise prescription for the prevention and "
    "management of osteoporosis. J Sci Med Sport 2017;20(5):438-445. "
    "doi:10.1016/j.jsams.2016.10.001"
)
FRANSEN = (
    "Fransen M et al. Exercise for osteoarthritis of the knee. Cochrane Database Syst Rev "
    "2015;(1):CD004376. doi:10.1002/14651858.CD004376.pub3"
)
HAYDEN = (
    "Hayden JA et al. Exercise therapy for chronic low back pain. Cochrane Database Syst Rev "
    "2021;(9):CD009790. doi:10.1002/14651858.CD009790.pub2"
)
MALLIARAS = (
    "Malliaras P et al. Achilles and patellar tendinopathy loading programmes: a systematic "
    "review. Sports Med 2013;43(4):267-286. doi:10.1007/s40279-013-0019-z"
)
LAUERSEN = (
    "Lauersen JB, Bertelsen DM, Andersen LB. The effectiveness of exercise interventions to "
    "prevent sports injuries: a systematic review and meta-analysis of randomised controlled "
    "trials. Br J Sports Med 2014;48(11):871-877. doi:10.1136/bjsports-2013-092538"
)
LLOYD = (
    "Lloyd RS et al. Position statement on youth resistance training: the 2014 international "
    "consensus. Br J Sports Med 2014;48(7):498-505. doi:10.1136/bjsports-2013-092952"
)
CHODZKO = (
    "Chodzko-Zajko WJ et al. ACSM position stand: exercise and physical activity for older "
    "adults. Med Sci Sports Exerc 2009;41(7):1510-1530. doi:10.1249/MSS.0b013e3181a0c95c"
)
WADA = (
    "World Anti-Doping Agency. World Anti-Doping Code International Standard: Prohibited List "
    "(updated annually)."
)
NYE = (
    "Nye NS, Kasper K, Madsen CM, et al. Clinical practice guidelines for exertional "
    "rhabdomyolysis: a military medicine perspective. Curr Sports Med Rep 2021;20(3):169-178. "
    "doi:10.1249/JSR.0000000000000822"
)
CASA = (
    "Casa DJ, DeMartini JK, Bergeron MF, et al. National Athletic Trainers' Association "
    "position statement: exertional heat illnesses. J Athl Train 2015;50(9):986-1000. "
    "doi:10.4085/1062-6050-50.9.07"
)
PATRICIOS = (
    "Patricios JS, Schneider KJ, Dvorak J, et al. Consensus statement on concussion in sport: "
    "the 6th International Conference on Concussion in Sport-Amsterdam, October 2022. "
    "Br J Sports Med 2023;57(11):695-711. doi:10.1136/bjsports-2023-106898"
)
NICE_VTE = (
    "National Institute for Health and Care Excellence. Venous thromboembolic diseases: "
    "diagnosis, management and thrombophilia testing. NICE guideline NG158; 2020."
)
JAGER = (
    "Jäger R, Kerksick CM, Campbell BI, et al. International Society of Sports Nutrition "
    "position stand: protein and exercise. J Int Soc Sports Nutr 2017;14:20. "
    "doi:10.1186/s12970-017-0177-8"
)
MORTON = (
    "Morton RW, Murphy KT, McKellar SR, et al. A systematic review, meta-analysis and "
    "meta-regression of the effect of protein supplementation on resistance training-induced "
    "gains in muscle mass and strength in healthy adults. Br J Sports Med 2018;52(6):376-384. "
    "doi:10.1136/bjsports-2017-097608"
)
THOMAS = (
    "Thomas DT, Erdman KA, Burke LM. American College of Sports Medicine joint position "
    "statement: nutrition and athletic performance. Med Sci Sports Exerc 2016;48(3):543-568. "
    "doi:10.1249/MSS.0000000000000852"
)
BURKE = (
    "Burke LM, Hawley JA, Wong SHS, Jeukendrup AE. Carbohydrates for training and competition. "
    "J Sports Sci 2011;29(Suppl 1):S17-S27. doi:10.1080/02640414.2011.585473"
)
GUEST = (
    "Guest NS, VanDusseldorp TA, Nelson MT, et al. International society of sports nutrition "
    "position stand: caffeine and exercise performance. J Int Soc Sports Nutr 2021;18(1):1. "
    "doi:10.1186/s12970-020-00383-4"
)
KREIDER = (
    "Kreider RB, Kalman DS, Antonio J, et al. International Society of Sports Nutrition "
    "position stand: safety and efficacy of creatine supplementation in exercise, sport, and "
    "medicine. J Int Soc Sports Nutr 2017;14:18. doi:10.1186/s12970-017-0173-z"
)
ANTONIO = (
    "Antonio J, Candow DG, Forbes SC, et al. Common questions and misconceptions about "
    "creatine supplementation: what does the scientific evidence really show? J Int Soc Sports "
    "Nutr 2021;18:13. doi:10.1186/s12970-021-00412-w"
)
TANAKA = (
    "Tanaka H, Monahan KD, Seals DR. Age-predicted maximal heart rate revisited. J Am Coll "
    "Cardiol 2001;37(1):153-156. doi:10.1016/S0735-1097(00)01054-8"
)
KARVONEN = (
    "Karvonen MJ, Kentala E, Mustala O. The effects of training on heart rate; a longitudinal "
    "study. Ann Med Exp Biol Fenn 1957;35(3):307-315."
)
GARBER = (
    "Garber CE, Blissmer B, Deschenes MR, et al. ACSM position stand: quantity and quality of "
    "exercise for developing and maintaining cardiorespiratory, musculoskeletal, and neuromotor "
    "fitness in apparently healthy adults. Med Sci Sports Exerc 2011;43(7):1334-1359. "
    "doi:10.1249/MSS.0b013e318213fefb"
)
NIELSEN = (
    "Nielsen RØ, Parner ET, Nohr EA, et al. Excessive progression in weekly running distance "
    "and risk of running-related injuries: an association which varies according to type of "
    "injury. J Orthop Sports Phys Ther 2014;44(10):739-747. doi:10.2519/jospt.2014.5164"
)
BUIST = (
    "Buist I, Bredeweg SW, van Mechelen W, et al. No effect of a graded training program on "
    "the number of running-related injuries in novice runners: a randomized controlled trial. "
    "Am J Sports Med 2008;36(1):33-39. doi:10.1177/0363546507307505"
)
FRANDSEN = (
    "Frandsen JSB, Hulme A, Parner ET, et al. How much running is too much? Identifying "
    "high-risk running sessions in a 5200-person cohort study. Br J Sports Med "
    "2025;59(17):1203-1210. doi:10.1136/bjsports-2024-109380"
)
SAWKA = (
    "Sawka MN, Burke LM, Eichner ER, Maughan RJ, Montain SJ, Stachenfeld NS. American College "
    "of Sports Medicine position stand. Exercise and fluid replacement. Med Sci Sports Exerc "
    "2007;39(2):377-390. doi:10.1249/mss.0b013e31802ca597"
)
HALL = (
    "Hall KD, Sacks G, Chandramohan D, et al. Quantification of the effect of energy imbalance "
    "on bodyweight. Lancet 2011;378(9793):826-837. doi:10.1016/S0140-6736(11)60812-X"
)
GARTHE = (
    "Garthe I, Raastad T, Refsnes PE, Koivisto A, Sundgot-Borgen J. Effect of two different "
    "weight-loss rates on body composition and strength and power-related performance in elite "
    "athletes. Int J Sport Nutr Exerc Metab 2011;21(2):97-104. doi:10.1123/ijsnem.21.2.97"
)
