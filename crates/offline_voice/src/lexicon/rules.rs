//! The letter-to-sound rules: for each letter, an ordered list, first match wins.
//!
//! The notation is the one of the classic context rules (`LEFT[MATCH]RIGHT=PHONES`, see
//! [`rule_match`](super::rule_match) for the context classes). The rules were written for this
//! crate from the regularities of English spelling; they emit full vowel qualities and leave
//! stress and vowel reduction to [`stress`](super::stress), except where a spelling is never
//! stressed (`-tion`, `-ous`, `-le`, final `-a`), which emits `AX` directly. Specific rules come
//! before general ones; each letter's list ends with a context-free default.

/// The ordered rules for the letter `letter` (lowercase ASCII).
pub(super) fn rules_for(letter: u8) -> &'static [&'static str] {
    match letter {
        b'a' => A,
        b'b' => B,
        b'c' => C,
        b'd' => D,
        b'e' => E,
        b'f' => F,
        b'g' => G,
        b'h' => H,
        b'i' => I,
        b'j' => J,
        b'k' => K,
        b'l' => L,
        b'm' => M,
        b'n' => N,
        b'o' => O,
        b'p' => P,
        b'q' => Q,
        b'r' => R,
        b's' => S,
        b't' => T,
        b'u' => U,
        b'v' => V,
        b'w' => W,
        b'x' => X,
        b'y' => Y,
        b'z' => Z,
        _ => &[],
    }
}

/// Every letter's rules, for the table checks in the tests.
#[cfg(test)]
pub(super) const ALL: [&[&str]; 26] = [
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z,
];

const A: &[&str] = &[
    " :[a] =AA",     // spa, bra
    "[a] =AX",       // sofa, pizza
    "^[are] =EH R",  // care, square, aware
    " [a]rr=AX",     // arrive, arrest
    " [a]r#=AX",     // around, arise
    "w[arr]=AO R",   // warrior
    "w[ar]#=EH R",   // wary
    "w[ar]=AO R",    // war, warm, toward
    "qu[ar]=AO R",   // quarter
    "[arr]=AE R",    // carry, arrow
    "[ar]#=EH R",    // parent, various
    "[ar]=AA R",     // car, hard, party
    "[air]=EH R",    // air, chair, repair
    " [a]ll=AX",     // allow
    "[a]ll =AO",     // all, ball, small
    "[alk]=AO K",    // talk, walk
    "[al]m=AA",      // calm, palm
    "[a]lt=AO",      // salt, halt
    "[a]ld=AO",      // bald
    "[augh]=AO",     // caught, daughter
    "[au]=AO",       // cause, author
    "[a]w#=AX",      // away, awake
    "[aw]=AO",       // saw, awful
    "ert[ai]n =AX",  // certain
    "urt[ai]n =AX",  // curtain
    "ount[ai]n =AX", // mountain, fountain
    "pt[ai]n =AX",   // captain
    "rg[ai]n =AX",   // bargain
    "ll[ai]n =AX",   // villain
    "[ai]=EY",       // rain, wait
    "[ay]=EY",       // day, player
    "[aa]=AA",       // bazaar
    "#:[a]ge =IH",   // village, damage, message
    "#:[a]ble =AX",  // comfortable, valuable
    "[a]ste =EY",    // taste, waste
    "[a]gue =EY",    // vague, plague
    " :[a]ture=EY",  // nature
    " :[a]^ous=EY",  // famous
    " :[a]^ive =EY", // native
    "#:^[a]to =EY",  // potato, tomato
    " *i^[a]te =AX", // climate, private
    "#:^[a]do =EY",  // tornado
    "[a]nge=EY",     // change, danger, angel
    "[a]^e =EY",     // make, late, debate
    " :[a]^%=EY",    // maker, later, paper
    "[a]^le =EY",    // table, stable
    " :[a]^y =EY",   // baby, lady
    "[a]^+#=EY",     // nation, radio, facial
    "w[a]sh=AA",     // wash
    "w[a]tch=AA",    // watch
    "w[a]t=AA",      // swat
    "w[a]s=AA",      // wasp
    "w[a]nd=AA",     // wand, wander
    "w[a]nt=AA",     // want
    "w[a]d=AA",      // wad
    "qu[a]=AA",      // quality, squad
    "[a]=AE",
];

const B: &[&str] = &["m[b] =", "[b]t=", "[bb]=B", "[b]=B"];

const C: &[&str] = &[
    "[ch]r=K",   // chrome
    "psy[ch]=K", // psychology
    "s[ch]=K",   // school
    "[ch]=CH",
    "[ck]=K",
    "[cc]+=K S",  // accept, success
    "[cc]=K",     // account
    "s[c]+=",     // science, scene, muscle
    "[ci]a=SH",   // special, social, musician
    "[ci]o=SH",   // precious, delicious
    "[ci]ent=SH", // ancient, efficient
    "[c]+=S",     // city, face
    "[c]=K",
];

const D: &[&str] = &[
    "[dg]e=JH",
    "[dd]=D",
    "[du]ce=D UW",  // reduce, produce
    "#[du]c=JH AX", // education
    "#[d]ua=JH",    // gradual, individual
    "[d]=D",
];

const E: &[&str] = &[
    " :[e] =IY",   // he, we, she
    "#:[e] =",     // silent final e
    "[er]e =IH R", // here, severe
    "[eer]=IH R",  // deer, career
    "[ee]=IY",
    "[ear]n=ER",    // learn, earn
    "[ear]th=ER",   // earth
    "[ear]ch=ER",   // search
    "[ear]l=ER",    // pearl
    "[ear]=IH R",   // ear, near, year
    "[eau]=OW",     // bureau, plateau
    "[ea]d=EH",     // head, bread, ready
    "[ea]lth=EH",   // health
    "[ea]th =EH",   // death, breath
    "[ea]ther=EH",  // weather, feather
    "[ea]vy=EH",    // heavy
    "[ea]ven=EH",   // heaven
    "[ea]sure=EH",  // measure, treasure
    "[ea]sant=EH",  // pleasant, peasant
    "[ea]nt =EH",   // meant
    "[e]ation=IY",  // creation
    " r[e]ali=IY",  // reality, realize
    "[ea]=IY",      // eat, team, sea
    "[eigh]=EY",    // weigh, neighbor
    "c[ei]=IY",     // receive, ceiling
    "[ei]r=IH R",   // weird
    "[ei]=EY",      // vein, reindeer
    "@[eu]=UW",     // neutral
    "[eu]=Y UW",    // Europe, feud
    "@[ew]=UW",     // new, drew, chew
    "[ew]=Y UW",    // few
    "#:[ey] =IY",   // money, valley
    "[ey]=EY",      // grey, obey
    "[err]=EH R",   // error, cherry
    "[er]i#=IH R",  // series, period, material
    " :[er]#=EH R", // very, merit, sheriff
    "[er]y =ER",    // bakery, delivery
    "[er]#=ER",     // general, camera
    "[er]=ER",      // her, person
    "[e]^e =IY",    // these, complete
    " b[e]^#=IY",   // begin, believe
    " d[e]^#=IY",   // decide, depend
    " r[e]^#=IY",   // return, remain
    " pr[e]^#=IY",  // prepare, previous
    "[e]ci=EH",     // special
    "[e]^+#=IY",    // media, genius
    "[e]o=IY",      // video, geography
    "[e]=EH",
];

const F: &[&str] = &["[ff]=F", "[f]=F"];

const G: &[&str] = &[
    " [gh]=G", // ghost
    "[gh]=",   // what the vowel rules leave of -igh, -ough
    " [gn]=N", // gnome
    "[g]n =",  // campaign
    "[gg]=G",
    " [g]et=G",  // get
    " [g]ear=G", // gear
    " [g]ee=G",  // geese
    " [g]ia=JH", // giant
    " [g]i=G",   // give, girl, gift
    " [g]y=JH",  // gym
    " [g]e=JH",  // gem, general
    "be[g]=G",   // begin, began
    "[g]et=G",   // target, forget, together
    "n[g]e =JH", // hinge, sponge, change
    "an[g]e=JH", // danger, angel
    "en[g]+=JH", // engine, challenge
    "n[g]#=G",   // finger, hunger, longer
    "n[g]l=G",   // single, English
    "n[g]r=G",   // angry, hungry
    "n[g]=",     // the g of -ng
    "[g]+=JH",   // magic, energy, page
    "[g]=G",
];

const H: &[&str] = &[" [h]=HH", "x[h]=", "[h]#=HH", "[h]="];

const I: &[&str] = &[
    "[igh]=AY",        // night, high
    "[ign] =AY N",     // sign, design
    "[ign]%=AY N",     // signer
    " :[ie] =AY",      // pie, tie
    "[ie] =IY",        // movie, cookie
    "sc[ie]nce=AY AX", // science
    "[ie]t=AY AX",     // quiet, diet, society
    " :[ie]r=IH R",    // pier, fierce
    "#:[ie]r =IY ER",  // easier, happier
    "[iew]=Y UW",      // view, review
    "[ie]=IY",         // field, piece, believe
    "[ir]e =AY ER",    // fire, desire
    "[irr]=IH R",      // mirror
    "[ir]#=AY R",      // virus, pirate
    "[ir]=ER",         // bird, first
    "r[i]ve =AY",      // arrive, derive
    "v[i]ve =AY",      // survive, revive
    "#:[i]ve =IH",     // active, native, positive
    "#r[i]te =IH",     // favorite
    "in[i]te =IH",     // definite, infinite
    "os[i]te =IH",     // opposite
    "rv[i]ce =IH",     // service
    "ov[i]ce =IH",     // novice
    "v[i]ce =AY",      // advice, device
    "#:[i]ce =IH",     // notice, office, justice
    "[i]que =IY",      // unique, technique
    "[i]^e =AY",       // time, like, smile
    " :[i]ty =IH",     // city, pity
    " :[i]^al =AY",    // final, vital, rival
    " *[i]^a =AY",     // china, diva
    " *[i]^ate =AY",   // climate, private, pirate
    "#:^[i]no =IY",    // casino
    "#:^[i]na =IY",    // marina
    "#:^[i]to =IY",    // mosquito
    "#:[i]ty =AX",     // ability, quality
    " :[i]^y =AY",     // tiny, shiny
    "[i]nd =AY",       // find, behind
    "[i]nd%=AY",       // finder
    "[i]ld =AY",       // child, wild
    " :[i]a=AY",       // dial, giant, diamond
    " :[i]o=AY",       // lion, violin, biology
    "[i]a=IY",         // media, India
    "[i]o=IY",         // radio, curious
    "[i]u=IY",         // medium, stadium
    " :[i] =AY",       // hi, pi
    "[i] =IY",         // taxi, ski
    "[i]=IH",
];

const J: &[&str] = &["[j]=JH"];

const K: &[&str] = &[" [k]n=", "[k]=K"];

const L: &[&str] = &["#:^[le] =AX L", "[ll]=L", "[l]=L"];

const M: &[&str] = &["[mm]=M", "[m]=M"];

const N: &[&str] = &[
    "[nn]=N", "m[n] =",   // autumn, column
    "[n]ge =N", // change, hinge
    "a[n]ge=N", // danger, angel
    "e[n]g+=N", // engine, challenge
    "[n]g=NG", "[n]k=NG", // think, bank
    "[n]=N",
];

const O: &[&str] = &[
    "[oo]k=UH",   // book, look
    "[oo]d=UH",   // good, wood
    "f[oo]t=UH",  // foot
    "[oor]=AO R", // door, floor
    "[oo]=UW",    // moon, school
    "[oar]=AO R", // board, roar
    "[oa]=OW",    // boat, road
    "[oi]=OY",
    "[oy]=OY",
    "[oe] =OW",   // toe
    "[ough]t=AO", // bought, fought
    "[ough] =OW", // dough
    "[ough]=AH F",
    "[oul]=OW L",    // soul, shoulder
    "#:[ou]s =AX",   // famous, nervous
    "t[ou]ch=AH",    // touch
    "[ou]ble=AH",    // double, trouble
    "[ou]ple=AH",    // couple
    "[ou]ntry=AH",   // country
    "[ou]ng=AH",     // young
    "#:[our] =ER",   // colour, neighbour
    "[our] =AW ER",  // sour, flour
    "j[our]=ER",     // journey
    "[our]#=ER",     // courage, flourish
    "[our]=AO R",    // course, court, source
    "[ou]=AW",       // out, house, sound
    "fl[ow]er=AW",   // flower
    " l[ow]=OW",     // low, lower
    "[ow]er=AW",     // power, tower, shower
    "#:[ow] =OW",    // window, follow, yellow
    "l[ow]=OW",      // slow, below
    "r[ow] =OW",     // grow, throw
    "sn[ow]=OW",     // snow
    "sh[ow]=OW",     // show
    "[ow]th=OW",     // growth
    "[ow]=AW",       // cow, down, owl
    "[ore] =AO R",   // more, store
    "w[or]n=AO R",   // worn
    "w[or]=ER",      // word, work, world
    "s[o]rr=AA",     // sorry
    "b[o]rr=AA",     // borrow
    "m[o]rr=AA",     // tomorrow
    "[orr]=AO R",    // horror
    "#:[or] =ER",    // actor, motor
    "[or]=AO R",     // for, short, story
    "[o]^e =OW",     // home, hope, stone
    "[o]^en =OW",    // open, broken
    " :[o]^%=OW",    // over, joker
    "[o]tion=OW",    // motion, potion
    " :[o]^a=OW",    // total, local, sofa
    " :[o]^us =OW",  // focus, bonus
    " :[o]^ice =OW", // notice
    " :[o]^ent=OW",  // moment
    " :[o]^o=OW",    // photo, solo
    "[o]^+#=OW",     // ocean, social, podium
    "[o]ld=OW",      // old, gold
    "[o]lt=OW",      // bolt
    "[o]ll =OW",     // roll, scroll
    "[ol]k=OW",      // folk, yolk
    " m[o]st=OW",    // most
    " p[o]st=OW",    // post
    " h[o]st=OW",    // host
    " gh[o]st=OW",   // ghost
    "[o]st=AO",      // lost, cost
    "[o]ss=AO",      // boss, cross
    "[o]ff=AO",      // off, offer
    "[o]ng=AO",      // long, song
    "[o]th =AO",     // cloth
    " :[o] =OW",     // go, no
    "#:[o] =OW",     // hello, radio, potato
    "[o]e=OW",       // poem, poet
    "[o]=AA",
];

const P: &[&str] = &["[ph]=F", "[pp]=P", " [p]s=", " [p]n=", "[p]=P"];

const Q: &[&str] = &["[que] =K", "[qu]=K W", "[q]=K"];

const R: &[&str] = &[" [rh]=R", "[rr]=R", "[r]=R"];

const S: &[&str] = &[
    "[sh]=SH",
    "[ssion]=SH AX N", // mission, passion
    "#[sion]=ZH AX N", // vision, decision
    "r[sion]=ZH AX N", // version
    "[sion]=SH AX N",  // tension, mansion
    "[ssure]=SH ER",   // pressure
    "#[sure]=ZH ER",   // measure, closure
    "#[s]ual=ZH",      // usual, visual
    "#[s]ia=ZH",       // Asia
    "[sm] =Z AX M",    // prism, realism
    "[ss]=S",
    "i[s]le=",   // isle
    "ou[s]e =S", // house, mouse
    "oo[s]e =S", // goose, loose
    "ra[s]e =Z", // phrase
    "a[s]e =S",  // case, base
    "ea[s]e =S", // lease, increase
    "#[s]e =Z",  // rise, nose, cause, noise
    "#[s]#=Z",   // reason, music, visit
    "[s]=S",
];

const T: &[&str] = &[
    "[tch]=CH",
    "[th]e =DH",   // breathe, bathe
    "#[th]er=DH",  // other, weather, together
    "r[th]ern=DH", // northern
    "[th]=TH",
    "s[tion]=CH AX N",    // question, suggestion
    "[tion]=SH AX N",     // nation, station
    "[tial]=SH AX L",     // partial, initial
    "[tious]=SH AX S",    // cautious, ambitious
    "[tience]=SH AX N S", // patience
    "[tient]=SH AX N T",  // patient
    "[ture]=CH ER",       // nature, picture
    "[tue] =CH UW",       // statue, virtue
    "[t]ua=CH",           // actual, situation
    "s[t]en =",           // fasten
    "s[t]le =",           // castle, whistle
    "f[t]en =",           // soften
    "[tt]=T",
    "[t]=T",
];

const U: &[&str] = &[
    "g[ue] =",       // league, vague
    " :[ue] =UW",    // blue, true, due
    "#:[ue] =Y UW",  // value, rescue
    "g[u]i=",        // guide, guitar, guilt
    "g[u]e=",        // guess, guest
    "g[u]ar=",       // guard
    "@[u]e^=UW",     // cruel, duel, influence
    "[u]e^=Y UW",    // fuel
    "ng[u]a=W",      // language
    "[u]a=UW",       // actual, usual, situation
    "[ui]=UW",       // fruit, juice, suit
    "[urr]=ER",      // hurry, current
    "@[ur]e =UH R",  // lure, endure
    "[ur]e =Y UH R", // cure, pure
    "@[ur]#=UH R",   // jury, rural
    "[ur]#=Y UH R",  // fury, curious
    "[ur]=ER",       // turn, nurse
    "@[u]^e =UW",    // rule, tune, include
    "[u]^e =Y UW",   // cute, huge, use
    "@[u]^#=UW",     // student, super, ruby
    "[u]^#=Y UW",    // music, human, unit
    "[u] =UW",       // flu, menu
    "b[u]ll=UH",     // bull, bullet
    "p[u]ll=UH",     // pull
    "f[u]ll=UH",     // full
    "b[u]sh=UH",     // bush
    "p[u]sh=UH",     // push
    "c[u]sh=UH",     // cushion
    "#:f[u]l =AX",   // careful, awful
    "[u]=AH",
];

const V: &[&str] = &["[v]=V"];

const W: &[&str] = &[" [wh]o=HH", "[wh]=W", " [wr]=R", "[w]=W"];

const X: &[&str] = &[
    " [x]=Z",      // xylophone
    " e[x]#=G Z",  // exact, exist
    " e[x]h#=G Z", // exhaust
    "[x]c+=K",     // excite, except: the c says the S
    "[x]=K S",
];

const Y: &[&str] = &[
    " [y]=Y",    // yes, you
    " ps[y]=AY", // psychology
    "[y]#=Y",    // lawyer, canyon
    " :[y] =AY", // my, fly
    "#:[y] =IY", // happy, city
    "[y]^e =AY", // type, style
    "[y]=IH",    // gym, myth, system
];

const Z: &[&str] = &["[zz]=Z", "[z]=Z"];
