"""QAOA angles: the published tables, the one translation to qspin's convention, and strategies.

**The translation.** Papers write ``|gamma, beta> = prod_k exp(-i beta_k B) exp(-i gamma_k C) |+>``
with ``B = sum_j X_j`` and *maximise* ``<C>``. qspin applies ``exp(-i gamma_k E)`` and
*minimises* ``<E>``. For the two families tabulated here ``E = -C`` exactly:

* SK: the papers' ``C = (1/sqrt n) sum_{i<j} J_ij Z_i Z_j`` with ``J ~ N(0, 1)``, and
  :func:`qspin.models.sherrington_kirkpatrick` stores couplings ``-J_ij / sqrt n`` while
  ``Z_i = s_i`` (``|0> <-> s = +1``), so ``E = -C``;
* Max-Cut: ``C = sum_edges (1 - Z_u Z_v) / 2`` is the cut and :func:`qspin.models.maxcut` has
  ``E = -cut``.

So ``exp(-i gamma C) = exp(-i (-gamma) E)``: the published state is qspin's state at
``(-gamma, beta)``, and then ``<E> = -<C>``. Complex conjugation maps ``psi(gamma, beta)`` to
``psi(-gamma, -beta)`` (``E`` and ``B`` are real matrices and ``|+>`` is real), which leaves every
probability and every ``<E>`` unchanged; so ``(gamma, -beta)`` is equivalent and keeps gamma
positive. :func:`to_qspin_angles` negates beta, and it is the only place that does. For other
scales (``E = -a C``) divide gamma by ``a`` as well.

**The tables** (stored in the published, maximising convention; the accessors translate):

* SK, p = 1..17: infinite-size optimal angles and values ``V_p = lim E<C>/n`` from QOKit's
  ``qokit/assets/best_SK_QAOA_parameters.json`` (jpmorganchase/QOKit), which collects Farhi,
  Goldstone, Gutmann, Zhou (2019, p <= 11) and Basso et al. (2022) and extends to p = 17. That
  file stores gamma in the convention above (p = 1: gamma = 1/2, beta = pi/8); QOKit's own
  loader returns ``-2 gamma`` for its simulator, which we do not copy. p = 1 is written exactly.
* Max-Cut on 3-regular graphs, p = 1..11: Wurtz and Lykov (2021) fixed angles, from
  danlkv/fixed-angle-QAOA ``data/magic_stickynote11_SMOOTH.json``, which stores QTensor's
  interleaved ``(g_1, b_1, g_2, b_2, ...)`` with ``gamma = -2 g``. The value is the expected cut
  fraction on graphs of girth above ``2p + 1``; p = 1 is written as its closed form
  ``gamma = arctan(1/sqrt 2)``, ``beta = pi/8``, value ``1/2 + 1/(3 sqrt 3)``.

The tests check p = 1, 2, 3 of the SK table and p = 1, 2 of the Max-Cut table against exact
simulation (p = 3 Max-Cut needs a girth-8 graph, 30 qubits); higher depths are checked only
for a sensible value on finite instances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qspin.errors import ParameterError
from qspin.provenance import resolve_seed
from qspin.qaoa.statevector import check_angles

__all__ = [
    "FixedAngles",
    "fourier_extrapolate",
    "from_fourier",
    "interp",
    "linear_ramp",
    "maxcut_regular_angles",
    "random_angles",
    "sk_angles",
    "to_fourier",
    "to_qspin_angles",
]


def to_qspin_angles(gammas, betas, *, source: str = "maximise") -> tuple[np.ndarray, np.ndarray]:
    """Angles in qspin's convention from published ones (see the module docstring).

    ``source="maximise"`` (or ``"maximize"``): angles maximising ``<C>`` with ``C = -E``; beta is
    negated. ``source="qspin"`` (or ``"minimise"``): already in qspin's convention; a copy.
    """
    g, b = check_angles(gammas, betas)
    if source in ("maximise", "maximize"):
        return g, -b
    if source in ("qspin", "minimise", "minimize"):
        return g, b
    raise ParameterError(f"source must be 'maximise' or 'qspin', got {source!r}")


@dataclass(frozen=True)
class FixedAngles:
    """Published fixed angles, in qspin's convention, with the published value they achieve."""

    gammas: np.ndarray
    betas: np.ndarray
    value: float  # SK: V_p = lim E<C>/n (so <E>/n -> -V_p); Max-Cut: expected cut fraction
    reference: str


# fmt: off
# p: (gammas, betas, V_p), maximising convention
_SK = {
    1: ((0.5,), (math.pi / 8,), 0.3033),
    2: ((0.38174264335841424, 0.6654992393512706), (0.4959677696862683, 0.26904313584971074), 0.4075450260776916),
    3: (
        (0.329867255856055, 0.568940208396505, 0.6408517243262545),
        (0.5499639074851381, 0.3675344998681799, 0.2108777978293392),
        0.4726189121735388,
    ),
    4: (
        (0.29501609884180086, 0.5144364986378086, 0.5585206396957134, 0.6428539208148993),
        (0.5709305199335208, 0.4175235474683164, 0.3026911679920211, 0.1728651095984306),
        0.5156786765895118,
    ),
    5: (
        (0.2704919768633934, 0.480341467892177, 0.5073881867482746, 0.5646380642833032, 0.6396443904780976),
        (0.589912294529049, 0.44921162935211423, 0.355937265802584, 0.2642812806380396, 0.14856436693554725),
        0.5476441654079138,
    ),
    6: (
        (0.2528079415502387, 0.4530960806050752, 0.47495388469376904, 0.5146137601515547, 0.5649964038426761,
         0.6392013157732348),
        (0.600431507172789, 0.46703753753551613, 0.38805702416619564, 0.31758945740394934, 0.23247298085709442,
         0.12906484715334557),
        0.5721375729521441,
    ),
    7: (
        (0.23818310229207817, 0.43238030174515213, 0.45125688527068225, 0.4826575756094503, 0.514823560305394,
         0.5690401699696828, 0.6398942524299032),
        (0.6081132648994042, 0.48060674202424886, 0.4086919908869232, 0.35331100568888346, 0.28574978004088725,
         0.208003297611592, 0.11441457226250104),
        0.5914775096756878,
    ),
    8: (
        (0.2267764227446209, 0.4161849962504303, 0.43324693175511064, 0.46082782492790125, 0.4817675225388171,
         0.51792615933791, 0.5717071120203425, 0.6393147418809658),
        (0.6151014041350918, 0.4905628647925223, 0.4243789094362458, 0.378007640708182, 0.3223689416165225,
         0.26055910972256874, 0.18842372752401745, 0.1030027503577669),
        0.6072663054918557,
    ),
    9: (
        (0.21699416450046122, 0.4021940564532283, 0.4188160518293421, 0.44414597917321397, 0.4603585184764722,
         0.48504226469207995, 0.5229491254100611, 0.5779125306965143, 0.6437908821832934),
        (0.6195980007231356, 0.4976027529422252, 0.4358464182710578, 0.3969043252518121, 0.3487920125884257,
         0.2983069933013607, 0.23984131755506718, 0.17208824620707375, 0.09335700730459691),
        0.6203393468392688,
    ),
    10: (
        (0.2086933036499295, 0.390477506890413, 0.4066203700804079, 0.43022711378667305, 0.4428116645937332,
         0.460858543510569, 0.4877889240485596, 0.5278157392593672, 0.5810304758017589, 0.6411628632839276),
        (0.624470149737008, 0.5035894678743348, 0.443008447502532, 0.40897277910100843, 0.3671569947448266,
         0.3246483460641082, 0.27590561598402813, 0.22064220964873615, 0.15719286427426704, 0.08484289480993111),
        0.6313636855537427,
    ),
    11: (
        (0.20233816529751827, 0.38034492354284527, 0.39623154831713153, 0.4198671345801711, 0.42969609924815927,
         0.44405118090112133, 0.4625132632066512, 0.4905934271915699, 0.5314282703278611, 0.5833912045138516,
         0.6400477376991778),
        (0.6267199542494951, 0.5068111253625347, 0.4497015754493979, 0.4195245425292876, 0.3821964390037515,
         0.3453278042890916, 0.3034829286179158, 0.25667512185064334, 0.20486955801080123, 0.14518326977644186,
         0.07847752786260695),
        0.6407972527719299,
    ),
    12: (
        (0.19493876507782942, 0.37163881950366556, 0.39034342068463074, 0.411698010068417, 0.41928905119284887,
         0.42997623607352614, 0.445508947694241, 0.4676445043503474, 0.49561526851724363, 0.5353220053054132,
         0.5863111290982653, 0.6422535984163789),
        (0.6307077916887829, 0.5143208801429324, 0.4584921503928463, 0.4293931557552524, 0.39457103812435257,
         0.3628596510010926, 0.3280637184676142, 0.28638614098030835, 0.240874798412842, 0.19082016642251434,
         0.13488560490567095, 0.07259907016662606),
        0.6488765495188337,
    ),
    13: (
        (0.19061012072588882, 0.363306853567238, 0.3803557009280228, 0.40345638030735226, 0.4110970307654161,
         0.42092146878530057, 0.43044955748247127, 0.4459489674512497, 0.4684009229279747, 0.49970228550255436,
         0.5412635630620491, 0.590244143579167, 0.6429341867007683),
        (0.6317065767016177, 0.5134042074244447, 0.4598078367800338, 0.43490600241288263, 0.40368607760461583,
         0.37478018127042395, 0.3413618741634921, 0.3064290263342478, 0.2679535859390511, 0.22545905680932934,
         0.1784478858976335, 0.12575111670230465, 0.06750275169321394),
        0.656051375113478,
    ),
    14: (
        (0.1857675165702466, 0.3567331628825342, 0.3738087345717408, 0.39629806913083815, 0.40362463358931977,
         0.4119497969717718, 0.41862674898608554, 0.4307687395435988, 0.44746725618804767, 0.471315572339132,
         0.5038464451047504, 0.5449554259519055, 0.591970939832238, 0.643574096835565),
        (0.6344572421522837, 0.5163407505789707, 0.4631472759880334, 0.44015397139532564, 0.41167916678017874,
         0.38489842803025004, 0.3551337009813007, 0.32380122610038203, 0.29007921240252377, 0.2533737275547025,
         0.21277554603563043, 0.1678550479740849, 0.11806105020948061, 0.06339090626184736),
        0.6623231726395385,
    ),
    15: (
        (0.18067776979693526, 0.3453657732862941, 0.3600733944284909, 0.3871869360544669, 0.39444696903013227,
         0.4079170477356303, 0.4145853236403369, 0.4202359583993795, 0.43137596561621716, 0.44906223100148557,
         0.47215323995995795, 0.5065736240358206, 0.5480864109952478, 0.5922522882286896, 0.6425096241342543),
        (0.6356216862685412, 0.5124441909661478, 0.4639702964513614, 0.44431175570352244, 0.4202819308892142,
         0.40203323937028745, 0.37197199015426297, 0.3420339189946193, 0.31068717923410377, 0.2771623160539274,
         0.2420016956023449, 0.20422392114583568, 0.16031410909465232, 0.11311506473615421, 0.06075636612521247),
        0.6678392891324763,
    ),
    16: (
        (0.17653576566342816, 0.34297146658740335, 0.36169825114632204, 0.38421997596970325, 0.39138148005588835,
         0.39904352031464996, 0.40392043875467476, 0.41105836036019744, 0.4203542072626454, 0.4344484362851046,
         0.45370455921524144, 0.47900364795454276, 0.511824751991415, 0.5517708725539137, 0.596370383111734,
         0.6445469387170167),
        (0.6367075905269629, 0.5193357508079673, 0.4683301996751458, 0.448453572266581, 0.42406829267456114,
         0.4024135532357419, 0.3771747541986785, 0.3508583572477202, 0.3230083136459597, 0.29335622498176434,
         0.2620216182424753, 0.227633008921582, 0.19037395783688588, 0.14961479340609843, 0.10488154428808623,
         0.0560515955693711),
        0.6728610665580268,
    ),
    17: (
        (0.17137712394572824, 0.339886849222591, 0.3598949288436648, 0.37852950173128697, 0.3893950638176002,
         0.3973794040827115, 0.4050563695453131, 0.41136955050544005, 0.41619808670550906, 0.4274186201198071,
         0.44176156920433973, 0.4610970129986528, 0.4858786078238585, 0.5184569304511086, 0.5571189850395241,
         0.6006466784007775, 0.6428844336877857),
        (0.6418525366354193, 0.5281835396779956, 0.4716165073222326, 0.45281978206782136, 0.43324027196229226,
         0.41552926790052713, 0.3947885880448662, 0.3704229372623504, 0.34246364406349733, 0.31447675632034283,
         0.2854485277357772, 0.2540661304750818, 0.22124476037407406, 0.18483735446512498, 0.14540042977119855,
         0.10114939234221529, 0.05395509040812248),
        0.6771927057158166,
    ),
}

# p: (QTensor interleaved (g_1, b_1, ...) with gamma = -2 g, expected cut fraction), 3-regular graphs
_MAXCUT3 = {
    2: ((-0.24385486635492434, 0.5550603400685824, -0.4489938478112711, 0.29250781484335187), 0.7559062918257108),
    3: (
        (-0.21104204095116305, 0.608757260014991, -0.3992063770279206, 0.45927530900125874, -0.4685443982836962,
         0.23539562255067184),
        0.7923980072764281,
    ),
    4: (
        (-0.2043819225688009, 0.5995654665076653, -0.3902924821151849, 0.4344182507567688, -0.4938640601617414,
         0.29695001489559947, -0.5781568377134791, 0.15906683733146543),
        0.8168758698205445,
    ),
    5: (
        (-0.1797947034873593, 0.6318520293950315, -0.35328630130143646, 0.5226524412470716, -0.41127827382980825,
         0.3897420609614237, -0.5023774474367088, 0.2754121638618102, -0.5771372909322555, 0.1491700495831238),
        0.8363791264990517,
    ),
    6: (
        (-0.1655209049103754, 0.6355589295314058, -0.32251550305268045, 0.5339629402370255, -0.3653884580896713,
         0.4631092335134802, -0.418291572316067, 0.3602554466252171, -0.5045817702217613, 0.25915232549960054,
         -0.5630501866191908, 0.13902573609703753),
        0.8498936745383119,
    ),
    7: (
        (-0.15504489811131092, 0.6481402507440225, -0.3091094095044593, 0.553924977795485, -0.34512392591096075,
         0.489883395749668, -0.3756110389160168, 0.4450177185381082, -0.4295426273729618, 0.3405836917027854,
         -0.5101950145162104, 0.2438269283195185, -0.5610331253443376, 0.1306345706291833),
        0.8597933410827674,
    ),
    8: (
        (-0.14730289199922858, 0.6491604649814701, -0.2933927781919967, 0.5546799488534804, -0.32720506693028156,
         0.5003222457916596, -0.3539642915647208, 0.4686938845614677, -0.3822871024028353, 0.41960894909047436,
         -0.4321251207714487, 0.31891713167388375, -0.5128328314478199, 0.23132378988234067, -0.5581436167585954,
         0.12290392279079686),
        0.8674066482812723,
    ),
    9: (
        (-0.1397005962416459, 0.6544738691800278, -0.2830666224747596, 0.5618639663372907, -0.3156112958891017,
         0.5090114025125145, -0.33966625947416645, 0.4867762872507141, -0.3631203253023906, 0.4514350922540272,
         -0.3840282096025343, 0.40321108228165636, -0.4372610025177596, 0.30473032103041725, -0.5187354607066378,
         0.2198329630539531, -0.5589933250628616, 0.11718174267088216),
        0.8735215640022997,
    ),
    10: (
        (-0.13335818369683203, 0.6555835372498169, -0.2724113490532155, 0.5631814864780931, -0.30499051226527735,
         0.5138881653307606, -0.3281300425787347, 0.49558421683669446, -0.3478541786297841, 0.4688948671814715,
         -0.36437869876198875, 0.4357432798966732, -0.3869387909986254, 0.3884706701377942, -0.441055694899821,
         0.29117618969626957, -0.5219005038762996, 0.21050904544590224, -0.5576296121353519, 0.11238794493527438),
        0.8785275447411593,
    ),
    11: (
        (-0.128643700652063, 0.6564387949836022, -0.2640202862139436, 0.5633471282117171, -0.29588547723456377,
         0.5163014280756274, -0.3198457456898253, 0.5036682504396424, -0.33860280690288763, 0.4818229959468761,
         -0.35103072672950253, 0.45601255796623946, -0.3685121284040829, 0.421434626428442, -0.3876537486841057,
         0.3707732712794268, -0.4417793652271734, 0.27645017426067187, -0.523485127715536, 0.20094698054318946,
         -0.5576188582344336, 0.10725070156301893),
        0.8828425408436951,
    ),
}

# fmt: on

_SK_REF = "Farhi-Goldstone-Gutmann-Zhou 2019 / Basso et al. 2022, via QOKit best_SK_QAOA_parameters.json"
_MAXCUT_REF = "Wurtz and Lykov 2021 fixed angles, via danlkv/fixed-angle-QAOA"


def _check_depth(p, table, what):
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p not in table:
        raise ParameterError(f"{what} angles are tabulated for p = {min(table)}..{max(table)}, got p = {p!r}")
    return int(p)


def sk_angles(p: int) -> FixedAngles:
    """Infinite-size optimal SK angles at depth p (1..17), in qspin's convention.

    On :func:`qspin.models.sherrington_kirkpatrick` instances ``-<E>/n`` approaches ``value``
    from below as n grows.
    """
    g, b, value = _SK[_check_depth(p, _SK, "SK")]
    g, b = to_qspin_angles(g, b)
    return FixedAngles(g, b, value, _SK_REF)


def maxcut_regular_angles(p: int, degree: int = 3) -> FixedAngles:
    """Fixed Max-Cut angles for ``degree``-regular graphs (3 only, p = 1..11), qspin's convention.

    On graphs of girth above ``2p + 1`` the expected cut fraction is exactly ``value``.
    """
    if degree != 3:
        raise ParameterError(f"fixed Max-Cut angles are tabulated for 3-regular graphs only, got degree {degree!r}")
    p = _check_depth(p, {1: None, **_MAXCUT3}, "3-regular Max-Cut")
    if p == 1:
        g, b, value = (math.atan(1 / math.sqrt(2)),), (math.pi / 8,), 0.5 + 1 / (3 * math.sqrt(3))
    else:
        raw, value = _MAXCUT3[p]
        g, b = -2.0 * np.asarray(raw[0::2]), np.asarray(raw[1::2])
    g, b = to_qspin_angles(g, b)
    return FixedAngles(g, b, value, _MAXCUT_REF)


# --- strategies (pure functions on angle arrays, qspin's convention) ------------------------


def linear_ramp(p: int, dt: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
    """Trotterised annealing from ``-B`` (ground state |+>) to ``E`` in p steps of length dt.

    ``gamma_k = (k - 1/2)/p dt`` and ``beta_k = -(1 - (k - 1/2)/p) dt``: the step
    ``exp(-i dt [-(1 - s) B + s E])`` has beta negative in qspin's convention.
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ParameterError(f"p must be a positive integer, got {p!r}")
    s = (np.arange(1, p + 1) - 0.5) / p
    return s * dt, -(1.0 - s) * dt


def interp(gammas, betas) -> tuple[np.ndarray, np.ndarray]:
    """INTERP (Zhou et al. 2020): depth-p angles -> a depth-(p+1) starting point.

    ``x'_i = (i-1)/p x_{i-1} + (p-i+1)/p x_i`` for i = 1..p+1, with ``x_0 = x_{p+1} = 0``.
    """
    g, b = check_angles(gammas, betas)
    p = g.size
    i = np.arange(1, p + 2)

    def up(x):
        padded = np.concatenate([[0.0], x, [0.0]])
        return (i - 1) / p * padded[i - 1] + (p - i + 1) / p * padded[i]

    return up(g), up(b)


def _fourier_basis(q: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    arg = np.outer(np.arange(1, p + 1) - 0.5, np.arange(1, q + 1) - 0.5) * np.pi / p
    return np.sin(arg), np.cos(arg)


def from_fourier(u, v, p: int) -> tuple[np.ndarray, np.ndarray]:
    """``gamma_i = sum_k u_k sin((k-1/2)(i-1/2) pi/p)``, ``beta_i = sum_k v_k cos(...)`` (Zhou et al.)."""
    u, v = check_angles(u, v)
    S, C = _fourier_basis(u.size, p)
    return S @ u, C @ v


def to_fourier(gammas, betas) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`from_fourier` with q = p (the DST-IV/DCT-IV matrices square to p/2)."""
    g, b = check_angles(gammas, betas)
    S, C = _fourier_basis(g.size, g.size)
    return 2.0 / g.size * (S.T @ g), 2.0 / g.size * (C.T @ b)


def fourier_extrapolate(gammas, betas) -> tuple[np.ndarray, np.ndarray]:
    """FOURIER (Zhou et al. 2020): keep the p frequencies of depth p, evaluate them at depth p+1."""
    u, v = to_fourier(gammas, betas)
    return from_fourier(u, v, u.size + 1)


def random_angles(p: int, *, seed: int | None = None, gamma_max: float = 1.0, beta_max: float = math.pi / 4):
    """Uniform random angles, ``gamma in (0, gamma_max)``, ``beta in (-beta_max, 0)`` (annealing signs)."""
    rng = np.random.default_rng(resolve_seed(seed))
    linear_ramp(p)  # validates p
    return rng.uniform(0.0, gamma_max, p), -rng.uniform(0.0, beta_max, p)
