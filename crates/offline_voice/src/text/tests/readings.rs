//! The reading table: every bullet of the brief, input by input.

use super::render;

/// Every bullet of the front end's brief: input, then each token as `text=words` (letters in
/// capitals) and each pause, break, sound and style in order.
const READINGS: &[(&str, &str)] = &[
    (
        "Dr. Smith paid $3.50 at 10:45.",
        "Dr.=doctor | Smith=smith | paid=paid | $3.50=three dollars and fifty cents | at=at | 10:45.=ten forty five | .",
    ),
    (
        "Dr. Smith paid $3.50 at 10:45. [laugh] <break time=\"300ms\"/> Ready?",
        "Dr.=doctor | Smith=smith | paid=paid | $3.50=three dollars and fifty cents | at=at | 10:45.=ten forty five | . | [Laugh] | <300ms> | Ready?=ready | ?",
    ),
    (
        "I saw Dr. Smith.",
        "I=i | saw=saw | Dr.=doctor | Smith.=smith | .",
    ),
    (
        "He lives on Elm St. Then he left.",
        "He=he | lives=lives | on=on | Elm=elm | St.=street | . | Then=then | he=he | left.=left | .",
    ),
    (
        "Turn onto Elm Dr. and stop.",
        "Turn=turn | onto=onto | Elm=elm | Dr.=drive | and=and | stop.=stop | .",
    ),
    (
        "Visit St. Louis today.",
        "Visit=visit | St.=saint | Louis=louis | today.=today | .",
    ),
    (
        "123 Main St.",
        "123=one hundred twenty three | Main=main | St.=street | .",
    ),
    (
        "the dr. said so",
        "the=the | dr.=doctor | said=said | so=so | .",
    ),
    (
        "Mr. and Mrs. Smith met Ms. Jones and Prof. Lee.",
        "Mr.=mister | and=and | Mrs.=missus | Smith=smith | met=met | Ms.=miz | Jones=jones | and=and | Prof.=professor | Lee.=lee | .",
    ),
    (
        "Martin Luther King Jr. was here.",
        "Martin=martin | Luther=luther | King=king | Jr.=junior | was=was | here.=here | .",
    ),
    (
        "apples, pears, etc. Then more.",
        "apples,=apples | , | pears,=pears | , | etc.=et cetera | . | Then=then | more.=more | .",
    ),
    (
        "apples vs. pears, e.g. this, i.e. that, approx. ten",
        "apples=apples | vs.=versus | pears,=pears | , | e.g.=for example | this,=this | , | i.e.=that is | that,=that | , | approx.=approximately | ten=ten | .",
    ),
    (
        "No. 5 and No. I won't.",
        "No.=number | 5=five | and=and | No.=no | . | I=i | won't.=won't | .",
    ),
    (
        "Capt. Kirk, Lt. Uhura, Sgt. Pepper, Gen. Lee, Col. Mustard, Gov. Brown, Sen. Smith, Rep. Jones",
        "Capt.=captain | Kirk,=kirk | , | Lt.=lieutenant | Uhura,=uhura | , | Sgt.=sergeant | Pepper,=pepper | , | Gen.=general | Lee,=lee | , | Col.=colonel | Mustard,=mustard | , | Gov.=governor | Brown,=brown | , | Sen.=senator | Smith,=smith | , | Rep.=representative | Jones=jones | .",
    ),
    (
        "Mt. Everest, Fifth Ave., Abbey Rd., Sunset Blvd.",
        "Mt.=mount | Everest,=everest | , | Fifth=fifth | Ave.,=avenue | , | Abbey=abbey | Rd.,=road | , | Sunset=sunset | Blvd.=boulevard | .",
    ),
    (
        "J. R. R. Tolkien",
        "J.=J | R.=R | R.=R | Tolkien=tolkien | .",
    ),
    (
        "the U.S.A. and the U.K.",
        "the=the | U.S.A.=U S A | and=and | the=the | U.K.=U K | .",
    ),
    (
        "1st 2nd 3rd 4th 11th 12th 21st 22nd 100th 101st 1,000th",
        "1st=first | 2nd=second | 3rd=third | 4th=fourth | 11th=eleventh | 12th=twelfth | 21st=twenty first | 22nd=twenty second | 100th=one hundredth | 101st=one hundred first | 1,000th=one thousandth | .",
    ),
    (
        "0 7 42 100 1,234,567 999999999999999 1000000000000000",
        "0=zero | 7=seven | 42=forty two | 100=one hundred | 1,234,567=one million two hundred thirty four thousand five hundred sixty seven | 999999999999999=nine hundred ninety nine trillion nine hundred ninety nine billion nine hundred ninety nine million nine hundred ninety nine thousand nine hundred ninety nine | 1000000000000000=one zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero | .",
    ),
    (
        "-5 −7 3.14 0.5 .5 -0.25",
        "-5=minus five | −7=minus seven | 3.14=three point one four | 0.5=zero point five | .5=point five | -0.25=minus zero point two five | .",
    ),
    (
        "In 1999, 2024, 2005, 2000, 1900, 1905, 1100 and 2100.",
        "In=in | 1999,=nineteen ninety nine | , | 2024,=twenty twenty four | , | 2005,=two thousand five | , | 2000,=two thousand | , | 1900,=nineteen hundred | , | 1905,=nineteen oh five | , | 1100=eleven hundred | and=and | 2100.=two thousand one hundred | .",
    ),
    (
        "the 1980s, the '90s, the 2000s, the 1900s, in 1980's",
        "the=the | 1980s,=nineteen eighties | , | the=the | '90s,=nineties | , | the=the | 2000s,=two thousands | , | the=the | 1900s,=nineteen hundreds | , | in=in | 1980's=nineteen eighties | .",
    ),
    (
        "50% 2.5% -3%",
        "50%=fifty percent | 2.5%=two point five percent | -3%=minus three percent | .",
    ),
    (
        "555-1234 1-800-555-0199 5-10 1990–2000",
        "555-1234=five five five one two three four | 1-800-555-0199=one eight zero zero five five five zero one nine nine | 5-10=five to ten | 1990–2000=nineteen ninety to two thousand | .",
    ),
    (
        "2024-03-15",
        "2024-03-15=march fifteenth twenty twenty four | .",
    ),
    (
        "0042 007",
        "0042=zero zero four two | 007=zero zero seven | .",
    ),
    (
        "12345678901234567890",
        "12345678901234567890=one two three four five six seven eight nine zero one two three four five six seven eight nine zero | .",
    ),
    (
        "$3.50 $1 $0.99 $1,000,000 $0.01 $1.01 $10.00 $3.5",
        "$3.50=three dollars and fifty cents | $1=one dollar | $0.99=ninety nine cents | $1,000,000=one million dollars | $0.01=one cent | $1.01=one dollar and one cent | $10.00=ten dollars | $3.5=three point five dollars | .",
    ),
    (
        "$2.5 million and $5m and $5k and $2bn",
        "$2.5=two point five | million=million dollars | and=and | $5m=five million dollars | and=and | $5k=five thousand dollars | and=and | $2bn=two billion dollars | .",
    ),
    (
        "£5 £3.50 £0.01 €20 €1 5¢ 1¢ ¥100 20€",
        "£5=five pounds | £3.50=three pounds and fifty pence | £0.01=one penny | €20=twenty euros | €1=one euro | 5¢=five cents | 1¢=one cent | ¥100=one hundred yen | 20€=twenty euros | .",
    ),
    (
        "3:00 10:05 10:45 23:15 13:00 12:00 0:30 10:45:30",
        "3:00=three o'clock | 10:05=ten oh five | 10:45=ten forty five | 23:15=twenty three fifteen | 13:00=thirteen hundred | 12:00=twelve o'clock | 0:30=zero thirty | 10:45:30=ten forty five and thirty seconds | .",
    ),
    (
        "7:30pm 7:30 p.m. 7:30 PM 12:00am 5pm 8 am",
        "7:30pm=seven thirty P M | 7:30=seven thirty | p.m.=P M | 7:30=seven thirty | PM=P M | 12:00am=twelve A M | 5pm=five P M | 8=eight | am=A M | .",
    ),
    (
        "We met at 7 p.m. Then we left.",
        "We=we | met=met | at=at | 7=seven | p.m.=P M | . | Then=then | we=we | left.=left | .",
    ),
    (
        "5km 1 km 10 min 1 min 5 kg 100mph 6 ft 12 oz 3 hrs 2x 20°C 90°",
        "5km=five kilometers | 1=one | km=kilometer | 10=ten | min=minutes | 1=one | min=minute | 5=five | kg=kilograms | 100mph=one hundred miles per hour | 6=six | ft=feet | 12=twelve | oz=ounces | 3=three | hrs=hours | 2x=two times | 20°C=twenty degrees celsius | 90°=ninety degrees | .",
    ),
    (
        "1999 km",
        "1999=one thousand nine hundred ninety nine | km=kilometers | .",
    ),
    (
        "NPC FBI USA UK EU TV PC AI OK ID NASA NATO RAM I",
        "NPC=N P C | FBI=F B I | USA=U S A | UK=U K | EU=E U | TV=T V | PC=P C | AI=A I | OK=okay | ID=I D | NASA=nasa | NATO=nato | RAM=ram | I=i | .",
    ),
    (
        "HTML CIA ABC NPCs TVs IDs",
        "HTML=H T M L | CIA=C I A | ABC=A B C | NPCs=N P sees | TVs=T vees | IDs=I dees | .",
    ),
    ("GET DOWN NOW!", "GET=get | DOWN=down | NOW!=now | !"),
    (
        "Plan A is a plan.",
        "Plan=plan | A=A | is=is | a=a | plan.=plan | .",
    ),
    (
        "A man and a plan.",
        "A=a | man=man | and=and | a=a | plan.=plan | .",
    ),
    (
        "well-known x-ray COVID-19 R2-D2 3D 4K MP3",
        "well-known=well known | x-ray=X ray | COVID-19=covid nineteen | R2-D2=R two D two | 3D=three D | 4K=four thousand | MP3=M P three | .",
    ),
    (
        "& + = % #5 @ # ",
        "&=and | +=plus | ==equals | %=percent | #5=number five | @=at | .",
    ),
    (
        "rock&roll user@example.com",
        "rock&roll=rock and roll | user@example.com=user at example dot com | .",
    ),
    (
        "1/2 3/4 2/3 24/7 3:2",
        "1/2=one half | 3/4=three quarters | 2/3=two thirds | 24/7=twenty four seven | 3:2=three to two | .",
    ),
    (
        "café naïve résumé Zürich ÉCOLE Straße Łódź",
        "café=cafe | naïve=naive | résumé=resume | Zürich=zurich | ÉCOLE=ecole | Straße=strasse | Łódź=lodz | .",
    ),
    ("こんにちは hi 日本 Привет", "hi=hi | ."),
    (
        "\"Hello,\" she said. 'Yes.' (quietly) — wait...",
        "\"Hello,\"=hello | , | she=she | said.=said | . | 'Yes.'=yes | . | (quietly)=quietly | , | wait...=wait | ...",
    ),
    (
        "Hello,world yes...no Wait—what? Hello--world",
        "Hello,=hello | , | world=world | yes...=yes | ... | no=no | Wait—=wait | , | what?=what | ? | Hello--=hello | , | world=world | .",
    ),
    (
        "one - two ... three",
        "one=one | , | two=two | ... | three=three | .",
    ),
    ("Really?! What?!", "Really?!=really | ? | What?!=what | ?"),
    (
        "Hello!\n\nAre you there?\n\n\nYes",
        "Hello!=hello | ! | Are=are | you=you | there?=there | ? | Yes=yes | .",
    ),
    ("Title\n\nText", "Title=title | ¶ | Text=text | ."),
    (
        "World War II and Final Fantasy VII",
        "World=world | War=war | II=two | and=and | Final=final | Fantasy=fantasy | VII=seven | .",
    ),
    (
        "don't 'em goin' players' O'Brien I'm can’t",
        "don't=don't | 'em=em | goin'=goin | players'=players | O'Brien=o'brien | I'm=i'm | can’t=can't | .",
    ),
    (
        "[happy] Hi [speak softly] there [laugh",
        "[Happy] | Hi=hi | there=there | [laugh=laugh | .",
    ),
    (
        "[laughs] [SIGHS] [coughs] [clear_throat] [clear throat] [yawn] [breathe] [whispering] [laughing] [sad] [angry] [surprised] [fearful] [disgusted]",
        "[Laugh] | [Sigh] | [Cough] | [ClearThroat] | [ClearThroat] | [Yawn] | [Breathe] | [Whispering] | [Laughing] | [Sad] | [Angry] | [Surprised] | [Fearful] | [Disgusted] | .",
    ),
    (
        "a<break time=\"1.5s\"/>b <break time='2s' /> c <break time=\"99s\"/> d",
        "a=a | <1500ms> | b=B | <2000ms> | c=C | <10000ms> | d=D | .",
    ),
    (
        "<break time=\"abc\"/> ok <break time=\"300ms",
        "ok=okay | .",
    ),
    (
        "<speak>Hi</speak> a < b <3",
        "Hi=hi | a=a | b=B | <3=three | .",
    ),
    ("¿Qué? ¡Hola!", "¿Qué?=que | ? | ¡Hola!=hola | !"),
    (
        "Room 3B, Bldg. 7, Apt. 4, pp. 20-35.",
        "Room=room | 3B,=three B | , | Bldg.=building | 7,=seven | , | Apt.=apartment | 4,=four | , | pp.=pages | 20-35.=twenty to thirty five | .",
    ),
    (
        "Quest: 0/10 done. Ok?",
        "Quest:=quest | ; | 0/10=zero ten | done.=done | . | Ok?=okay | ?",
    ),
    (
        "hel\u{200b}lo co\u{ad}operate",
        "hel\u{200b}lo=hello | co\u{ad}operate=cooperate | .",
    ),
    (
        "5-year-old 9-5 3rd-party",
        "5-year-old=five year old | 9-5=nine to five | 3rd-party=third party | .",
    ),
    (
        "\"Stop!\" she said. (Really?) [sigh] Fine...",
        "\"Stop!\"=stop | ! | she=she | said.=said | . | (Really?)=really | ? | [Sigh] | Fine...=fine | ...",
    ),
    (
        "The FBI and the CIA are here.",
        "The=the | FBI=F B I | and=and | the=the | CIA=C I A | are=are | here.=here | .",
    ),
    (
        "I LOVE THE NPC",
        "I=i | LOVE=love | THE=the | NPC=N P C | .",
    ),
    ("the US army", "the=the | US=U S | army=army | ."),
    ("10:00:30", "10:00:30=ten o'clock and thirty seconds | ."),
    (
        "apples etc.Then more",
        "apples=apples | etc.=et cetera | . | Then=then | more=more | .",
    ),
];

#[test]
fn readings() {
    let mut failures = Vec::new();
    for (text, expected) in READINGS {
        let got = render(text);
        if got != *expected {
            failures.push(format!("{text:?}\n  expected {expected}\n       got {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} readings differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
