#include "core/crypto/internal/ed25519.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>

#include "core/crypto/internal/openssl_ptr.h"

namespace pedigree::core::crypto::internal {
namespace {

using u64 = uint64_t;
// GCC and Clang on 64-bit targets; __extension__ keeps -Wpedantic quiet.
__extension__ typedef unsigned __int128 u128;

constexpr u64 kLow51 = (u64{1} << 51) - 1;

// --- GF(p), p = 2^255 - 19 -----------------------------------------------
//
// GCC at -O2 does not inline Carry, Product, CarryProduct, Add and Sub on
// its own; forcing it made a verification 30-40% faster.
//
// Limb bounds: every operation returns limbs below 2^51 + 2^18 ("carried"),
// and takes carried inputs. Add and Sub carry their result, so that Mul's
// products stay below 2^105 and its sums fit in 128 bits.

using Fe = FieldElement;

Fe FeFromSmall(u64 small) { return Fe{{small, 0, 0, 0, 0}}; }

u64 Load64(const uint8_t* in) {
  u64 word = 0;
  for (int i = 7; i >= 0; --i) word = (word << 8) | in[i];
  return word;
}

void Store64(u64 word, uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(word >> (8 * i));
}

// The low 255 bits of `in` (32 bytes, little-endian); bit 255 is dropped.
// A value from p to 2^255 - 1 is kept as it is: it stands for value - p.
Fe FeFromBytes(const uint8_t in[32]) {
  const u64 w0 = Load64(in), w1 = Load64(in + 8), w2 = Load64(in + 16),
            w3 = Load64(in + 24);
  return Fe{{w0 & kLow51, ((w0 >> 51) | (w1 << 13)) & kLow51,
             ((w1 >> 38) | (w2 << 26)) & kLow51,
             ((w2 >> 25) | (w3 << 39)) & kLow51, (w3 >> 12) & kLow51}};
}

// Moves each limb's bits above 51 into the next limb (the top limb's into
// limb 0, times 19: 2^255 = 19 mod p).
[[gnu::always_inline]] inline void Carry(Fe& f) {
  for (int i = 0; i < 4; ++i) {
    f.v[i + 1] += f.v[i] >> 51;
    f.v[i] &= kLow51;
  }
  f.v[0] += 19 * (f.v[4] >> 51);
  f.v[4] &= kLow51;
}

// The canonical encoding: the value reduced below p, 32 bytes little-endian
// (bit 255 clear).
void FeToBytes(Fe f, uint8_t out[32]) {
  Carry(f);
  Carry(f);
  // Now limbs 1-4 are below 2^51 and limb 0 below 2^51 + 19, so the value h
  // is below 2^255 + 19 < 2p. q = 1 exactly when h >= p, i.e. when
  // h + 19 >= 2^255.
  u64 q = (f.v[0] + 19) >> 51;
  for (int i = 1; i < 5; ++i) q = (f.v[i] + q) >> 51;
  f.v[0] += 19 * q;  // h - q p = h + 19 q - q 2^255: drop bit 255 below
  for (int i = 0; i < 4; ++i) {
    f.v[i + 1] += f.v[i] >> 51;
    f.v[i] &= kLow51;
  }
  f.v[4] &= kLow51;
  Store64(f.v[0] | (f.v[1] << 51), out);
  Store64((f.v[1] >> 13) | (f.v[2] << 38), out + 8);
  Store64((f.v[2] >> 26) | (f.v[3] << 25), out + 16);
  Store64((f.v[3] >> 39) | (f.v[4] << 12), out + 24);
}

[[gnu::always_inline]] inline Fe Add(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
  Carry(r);
  return r;
}

// a - b, computed as a + 4p - b so that no limb goes negative (b's limbs are
// below 2^51 + 2^18, 4p's are 2^53 - 76 and 2^53 - 4).
[[gnu::always_inline]] inline Fe Sub(const Fe& a, const Fe& b) {
  constexpr u64 kFourP0 = (u64{1} << 53) - 76;
  constexpr u64 kFourP = (u64{1} << 53) - 4;
  Fe r;
  r.v[0] = a.v[0] + kFourP0 - b.v[0];
  for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + kFourP - b.v[i];
  Carry(r);
  return r;
}

Fe Neg(const Fe& a) { return Sub(FeFromSmall(0), a); }

[[gnu::always_inline]] inline u128 Product(u64 x, u64 y) {
  return static_cast<u128>(x) * y;
}

// Carries the five 128-bit limb sums of a product into a carried element.
// For carried inputs every sum is below 2^111, and r4, whose products are
// not scaled by 19, below 2^105.
[[gnu::always_inline]] inline Fe CarryProduct(u128 r0, u128 r1, u128 r2,
                                              u128 r3, u128 r4) {
  r1 += static_cast<u64>(r0 >> 51);
  r2 += static_cast<u64>(r1 >> 51);
  r3 += static_cast<u64>(r2 >> 51);
  r4 += static_cast<u64>(r3 >> 51);
  // r4 < 2^105, so its carry times 19 fits in 64 bits.
  Fe r{{(static_cast<u64>(r0) & kLow51) + 19 * static_cast<u64>(r4 >> 51),
        static_cast<u64>(r1) & kLow51, static_cast<u64>(r2) & kLow51,
        static_cast<u64>(r3) & kLow51, static_cast<u64>(r4) & kLow51}};
  r.v[1] += r.v[0] >> 51;
  r.v[0] &= kLow51;
  return r;
}

Fe Mul(const Fe& a, const Fe& b) {
  // Limb i of a times limb j of b weighs 2^(51 (i + j)); where i + j >= 5,
  // 2^255 = 19 folds it back onto limb i + j - 5.
  const u64 b1_19 = 19 * b.v[1], b2_19 = 19 * b.v[2], b3_19 = 19 * b.v[3],
            b4_19 = 19 * b.v[4];
  return CarryProduct(Product(a.v[0], b.v[0]) + Product(a.v[1], b4_19) +
                          Product(a.v[2], b3_19) + Product(a.v[3], b2_19) +
                          Product(a.v[4], b1_19),
                      Product(a.v[0], b.v[1]) + Product(a.v[1], b.v[0]) +
                          Product(a.v[2], b4_19) + Product(a.v[3], b3_19) +
                          Product(a.v[4], b2_19),
                      Product(a.v[0], b.v[2]) + Product(a.v[1], b.v[1]) +
                          Product(a.v[2], b.v[0]) + Product(a.v[3], b4_19) +
                          Product(a.v[4], b3_19),
                      Product(a.v[0], b.v[3]) + Product(a.v[1], b.v[2]) +
                          Product(a.v[2], b.v[1]) + Product(a.v[3], b.v[0]) +
                          Product(a.v[4], b4_19),
                      Product(a.v[0], b.v[4]) + Product(a.v[1], b.v[3]) +
                          Product(a.v[2], b.v[2]) + Product(a.v[3], b.v[1]) +
                          Product(a.v[4], b.v[0]));
}

// Mul(a, a) with the symmetric products computed once: 15 products, not 25.
Fe Square(const Fe& a) {
  const u64 a0_2 = 2 * a.v[0], a1_2 = 2 * a.v[1], a1_38 = 38 * a.v[1],
            a2_38 = 38 * a.v[2], a3_38 = 38 * a.v[3], a3_19 = 19 * a.v[3],
            a4_19 = 19 * a.v[4];
  return CarryProduct(
      Product(a.v[0], a.v[0]) + Product(a1_38, a.v[4]) + Product(a2_38, a.v[3]),
      Product(a0_2, a.v[1]) + Product(a2_38, a.v[4]) + Product(a3_19, a.v[3]),
      Product(a0_2, a.v[2]) + Product(a.v[1], a.v[1]) + Product(a3_38, a.v[4]),
      Product(a0_2, a.v[3]) + Product(a1_2, a.v[2]) + Product(a4_19, a.v[4]),
      Product(a0_2, a.v[4]) + Product(a1_2, a.v[3]) + Product(a.v[2], a.v[2]));
}

// a^(2^n).
Fe SquareTimes(Fe a, int n) {
  for (int i = 0; i < n; ++i) a = Square(a);
  return a;
}

// a^(2^250 - 1), and a^11 on the side: the common start of Invert and
// PowP58.
Fe Pow2To250Minus1(const Fe& a, Fe* a11) {
  const Fe a2 = Square(a);
  const Fe a9 = Mul(SquareTimes(a2, 2), a);
  *a11 = Mul(a9, a2);
  const Fe e5 = Mul(Square(*a11), a9);            // 2^5 - 1
  const Fe e10 = Mul(SquareTimes(e5, 5), e5);     // 2^10 - 1
  const Fe e20 = Mul(SquareTimes(e10, 10), e10);  // 2^20 - 1
  const Fe e40 = Mul(SquareTimes(e20, 20), e20);  // 2^40 - 1
  const Fe e50 = Mul(SquareTimes(e40, 10), e10);  // 2^50 - 1
  const Fe e100 = Mul(SquareTimes(e50, 50), e50);
  const Fe e200 = Mul(SquareTimes(e100, 100), e100);
  return Mul(SquareTimes(e200, 50), e50);  // 2^250 - 1
}

// a^(p - 2) = 1/a (0 for a = 0).
Fe Invert(const Fe& a) {
  Fe a11;
  const Fe e250 = Pow2To250Minus1(a, &a11);
  return Mul(SquareTimes(e250, 5), a11);  // 2^255 - 32 + 11 = p - 2
}

// a^((p - 5) / 8) = a^(2^252 - 3).
Fe PowP58(const Fe& a) {
  Fe a11;
  const Fe e250 = Pow2To250Minus1(a, &a11);
  return Mul(SquareTimes(e250, 2), a);
}

bool Equal(const Fe& a, const Fe& b) {
  uint8_t ea[32], eb[32];
  FeToBytes(a, ea);
  FeToBytes(b, eb);
  return std::memcmp(ea, eb, sizeof(ea)) == 0;
}

// Whether a's canonical value is odd: "negative" in RFC 8032's sense.
bool IsNegative(const Fe& a) {
  uint8_t e[32];
  FeToBytes(a, e);
  return (e[0] & 1) != 0;
}

// --- edwards25519 -----------------------------------------------------------
//
// Points are kept in the forms of ref10 and of "Twisted Edwards Curves
// Revisited" (Hisil, Wong, Carter, Dawson, 2008), the formulas of RFC 8032
// section 5.1.4 split at their last four multiplications:
//  - extended (X:Y:Z:T), x = X/Z, y = Y/Z, x y = T/Z (struct Point): an
//    input of addition;
//  - projective (X:Y:Z), the same without T: an input of doubling;
//  - completed (E, F, G, H), the point (E F : G H : F G : E H): the output
//    of addition and doubling, three or four multiplications away from the
//    others;
//  - cached (Y + X, Y - X, 2 Z, 2 d T): a table entry, added to an extended
//    point with four multiplications before completion.

struct Point {
  Fe x, y, z, t;
};

struct Projective {
  Fe x, y, z;
};

struct Completed {
  Fe e, f, g, h;
};

using Cached = CachedPoint;

Point ToExtended(const Completed& c) {
  return Point{Mul(c.e, c.f), Mul(c.g, c.h), Mul(c.f, c.g), Mul(c.e, c.h)};
}

Projective ToProjective(const Completed& c) {
  return Projective{Mul(c.e, c.f), Mul(c.g, c.h), Mul(c.f, c.g)};
}

Cached ToCached(const Point& p, const Fe& d2) {
  return Cached{Add(p.y, p.x), Sub(p.y, p.x), Add(p.z, p.z), Mul(p.t, d2)};
}

// p + q, or p - q if `subtract`. RFC 8032 section 5.1.4 addition, which is
// complete: also right for p == q and for the identity.
Completed AddCached(const Point& p, const Cached& q, bool subtract) {
  // -q is (-X, Y, Z, -T): Y + X and Y - X swap, and 2 d T changes sign.
  const Fe a = Mul(Sub(p.y, p.x), subtract ? q.y_plus_x : q.y_minus_x);
  const Fe b = Mul(Add(p.y, p.x), subtract ? q.y_minus_x : q.y_plus_x);
  const Fe c = Mul(p.t, q.t2d);
  const Fe d = Mul(p.z, q.z2);
  return subtract ? Completed{Sub(b, a), Add(d, c), Sub(d, c), Add(b, a)}
                  : Completed{Sub(b, a), Sub(d, c), Add(d, c), Add(b, a)};
}

// RFC 8032 section 5.1.4, doubling.
Completed DoublePoint(const Projective& p) {
  const Fe a = Square(p.x);
  const Fe b = Square(p.y);
  const Fe zz = Square(p.z);
  const Fe h = Add(a, b);
  const Fe g = Sub(a, b);
  return Completed{Sub(h, Square(Add(p.x, p.y))), Add(Add(zz, zz), g), g, h};
}

Point Identity() {
  return Point{FeFromSmall(0), FeFromSmall(1), FeFromSmall(1), FeFromSmall(0)};
}

std::array<uint8_t, 32> EncodePoint(const Projective& p) {
  const Fe z_inverse = Invert(p.z);
  std::array<uint8_t, 32> out;
  FeToBytes(Mul(p.y, z_inverse), out.data());
  if (IsNegative(Mul(p.x, z_inverse))) out[31] |= 0x80;
  return out;
}

// RFC 8032 section 5.1.3, except as OpenSSL 3.0 decodes: y is taken modulo
// p (a y >= p is not refused) and the sign bit on x = 0 is ignored.
std::optional<Point> DecodePoint(const uint8_t in[32], const Fe& d,
                                 const Fe& sqrt_m1) {
  const Fe one = FeFromSmall(1);
  const Fe y = FeFromBytes(in);
  const Fe y2 = Square(y);
  const Fe u = Sub(y2, one);          // y^2 - 1
  const Fe v = Add(Mul(y2, d), one);  // d y^2 + 1, never 0
  // x = u v^3 (u v^7)^((p - 5) / 8) is a square root of u / v if there is
  // one, or of -u / v, in which case sqrt(-1) x is.
  const Fe v3 = Mul(Square(v), v);
  const Fe v7 = Mul(Square(v3), v);
  Fe x = Mul(Mul(u, v3), PowP58(Mul(u, v7)));
  const Fe v_x2 = Mul(v, Square(x));
  if (!Equal(v_x2, u)) {
    if (!Equal(v_x2, Neg(u))) return std::nullopt;  // not on the curve
    x = Mul(x, sqrt_m1);
  }
  if (IsNegative(x) != ((in[31] >> 7) != 0)) x = Neg(x);
  return Point{x, y, one, Mul(x, y)};
}

// [1]P, [3]P, [5]P, ... [2 N - 1]P.
template <size_t N>
std::array<Cached, N> OddMultiples(const Point& p, const Fe& d2) {
  std::array<Cached, N> multiples;
  const Cached p_cached = ToCached(p, d2);
  const Cached twice =
      ToCached(ToExtended(AddCached(p, p_cached, /*subtract=*/false)), d2);
  Point current = p;
  multiples[0] = p_cached;
  for (size_t i = 1; i < N; ++i) {
    current = ToExtended(AddCached(current, twice, /*subtract=*/false));
    multiples[i] = ToCached(current, d2);
  }
  return multiples;
}

// Window widths of the two scalars' NAFs: the base point's table is built
// once per process, so it can be large.
constexpr int kBaseWindow = 8;  // odd multiples up to [127]B
constexpr int kKeyWindow = 5;   // odd multiples up to [15]A

struct Curve {
  Fe d;        // -121665 / 121666
  Fe d2;       // 2 d
  Fe sqrt_m1;  // a square root of -1
  std::array<Cached, 1 << (kBaseWindow - 2)> base_odd_multiples;
};

Curve MakeCurve() {
  Curve curve;
  curve.d = Mul(Neg(FeFromSmall(121665)), Invert(FeFromSmall(121666)));
  curve.d2 = Add(curve.d, curve.d);
  // 2^((p - 1) / 4), (p - 1) / 4 = 2 (2^252 - 3) + 1.
  const Fe two = FeFromSmall(2);
  curve.sqrt_m1 = Mul(Square(PowP58(two)), two);
  // B: y = 4/5, which encodes as 0x58 then 31 bytes of 0x66; x is even.
  uint8_t encoded_base[32];
  std::memset(encoded_base, 0x66, sizeof(encoded_base));
  encoded_base[0] = 0x58;
  // B is on the curve; a failure here would be a bug in this file, which
  // every test of it would show.
  const Point base =
      DecodePoint(encoded_base, curve.d, curve.sqrt_m1).value_or(Identity());
  curve.base_odd_multiples =
      OddMultiples<1 << (kBaseWindow - 2)>(base, curve.d2);
  return curve;
}

const Curve& TheCurve() {
  static const Curve* const curve = new Curve(MakeCurve());
  return *curve;
}

// The width-`width` non-adjacent form of the 256-bit little-endian
// `scalar`: digits[i] is 0 or odd with |digits[i]| < 2^(width - 1), every
// non-zero digit is followed by at least width - 1 zeros, and the sum of
// digits[i] 2^i is the scalar.
void ComputeNaf(const uint8_t scalar[32], int width, int8_t digits[257]) {
  // The scalar in five words: adding a digit back can carry past bit 255.
  u64 k[5] = {Load64(scalar), Load64(scalar + 8), Load64(scalar + 16),
              Load64(scalar + 24), 0};
  const u64 window = u64{1} << width;
  for (int i = 0; i < 257; ++i) {
    int digit = 0;
    if ((k[0] & 1) != 0) {
      digit = static_cast<int>(k[0] & (window - 1));  // k mod 2^width
      if (digit >= static_cast<int>(window / 2)) {
        digit -= static_cast<int>(window);
      }
      if (digit > 0) {
        k[0] -= static_cast<u64>(digit);  // clears the low bits: no borrow
      } else {
        // k += -digit, carrying.
        u64 carry = static_cast<u64>(-digit);
        for (u64& word : k) {
          word += carry;
          carry = word < carry ? 1 : 0;
        }
      }
    }
    digits[i] = static_cast<int8_t>(digit);
    for (int w = 0; w < 4; ++w) k[w] = (k[w] >> 1) | (k[w + 1] << 63);
    k[4] >>= 1;
  }
}

// [a]B - [b]Q, from the odd multiples of B and of Q. Variable time: for
// public inputs only.
Projective DoubleScalarMultiply(const uint8_t a[32], const uint8_t b[32],
                                const std::array<Cached, 8>& q_odd_multiples) {
  const Curve& curve = TheCurve();
  int8_t a_naf[257], b_naf[257];
  ComputeNaf(a, kBaseWindow, a_naf);
  ComputeNaf(b, kKeyWindow, b_naf);
  int top = 256;
  while (top >= 0 && a_naf[top] == 0 && b_naf[top] == 0) --top;

  const Point identity = Identity();
  Projective r{identity.x, identity.y, identity.z};
  for (int i = top; i >= 0; --i) {
    Completed sum = DoublePoint(r);
    if (a_naf[i] != 0) {
      const int digit = a_naf[i];
      sum = AddCached(ToExtended(sum),
                      curve.base_odd_multiples[std::abs(digit) / 2],
                      /*subtract=*/digit < 0);
    }
    if (b_naf[i] != 0) {
      const int digit = b_naf[i];
      sum = AddCached(ToExtended(sum), q_odd_multiples[std::abs(digit) / 2],
                      /*subtract=*/digit > 0);
    }
    r = ToProjective(sum);
  }
  return r;
}

// --- scalars modulo L
// ---------------------------------------------------------

// L as four 64-bit words, least significant first.
constexpr u64 kOrder[4] = {0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0,
                           0x1000000000000000ULL};

bool WordsAtLeastOrder(const u64 r[4]) {
  for (int i = 3; i >= 0; --i) {
    if (r[i] != kOrder[i]) return r[i] > kOrder[i];
  }
  return true;
}

void SubtractOrder(u64 r[4]) {
  u64 borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 difference =
        static_cast<u128>(r[i]) - kOrder[i] - static_cast<u128>(borrow);
    r[i] = static_cast<u64>(difference);
    borrow = static_cast<u64>(difference >> 64) & 1;
  }
}

}  // namespace

void ReduceModOrder(const uint8_t x[64], uint8_t out[32]) {
  // Bit by bit from the top: r = 2 r + bit, less L when that reaches L. r
  // stays below L, so 2 r + 1 < 2 L < 2^254 fits in four words.
  u64 r[4] = {0, 0, 0, 0};
  for (int bit = 511; bit >= 0; --bit) {
    for (int i = 3; i > 0; --i) r[i] = (r[i] << 1) | (r[i - 1] >> 63);
    r[0] = (r[0] << 1) | ((x[bit / 8] >> (bit % 8)) & 1);
    if (WordsAtLeastOrder(r)) SubtractOrder(r);
  }
  for (int i = 0; i < 4; ++i) Store64(r[i], out + 8 * i);
}

bool IsBelowOrder(const uint8_t s[32]) {
  const u64 words[4] = {Load64(s), Load64(s + 8), Load64(s + 16),
                        Load64(s + 24)};
  return !WordsAtLeastOrder(words);
}

std::array<uint8_t, 32> EncodeBaseMultiple(const uint8_t scalar[32]) {
  const uint8_t zero[32] = {};
  const std::array<Cached, 8> unused{};
  return EncodePoint(DoubleScalarMultiply(scalar, zero, unused));
}

std::optional<Ed25519Verifier> Ed25519Verifier::Create(
    absl::string_view public_key) {
  if (public_key.size() != kPublicKeySize) return std::nullopt;
  const Curve& curve = TheCurve();
  Ed25519Verifier verifier;
  std::memcpy(verifier.public_key_.data(), public_key.data(), kPublicKeySize);
  const std::optional<Point> a =
      DecodePoint(verifier.public_key_.data(), curve.d, curve.sqrt_m1);
  if (!a.has_value()) return std::nullopt;
  verifier.odd_multiples_ = OddMultiples<8>(*a, curve.d2);
  return verifier;
}

absl::StatusOr<bool> Ed25519Verifier::Verify(absl::string_view signature,
                                             absl::string_view message) const {
  if (signature.size() != kSignatureSize) return false;
  const auto* r = reinterpret_cast<const uint8_t*>(signature.data());
  const uint8_t* s = r + 32;
  if (!IsBelowOrder(s)) return false;

  // k = SHA-512(R || A || message) mod L.
  const EVP_MD* sha512 = FetchedSha512();
  if (sha512 == nullptr) {
    return absl::InternalError(OpensslError("EVP_MD_fetch SHA512"));
  }
  OpensslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  uint8_t digest[64];
  unsigned int digest_size = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), sha512, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), r, 32) != 1 ||
      EVP_DigestUpdate(ctx.get(), public_key_.data(), public_key_.size()) !=
          1 ||
      EVP_DigestUpdate(ctx.get(), message.data(), message.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &digest_size) != 1 ||
      digest_size != sizeof(digest)) {
    return absl::InternalError(OpensslError("SHA-512 of an ed25519 signature"));
  }
  uint8_t k[32];
  ReduceModOrder(digest, k);

  // [S]B - [k]A must encode as R.
  const std::array<uint8_t, 32> expected_r =
      EncodePoint(DoubleScalarMultiply(s, k, odd_multiples_));
  return CRYPTO_memcmp(expected_r.data(), r, 32) == 0;
}

}  // namespace pedigree::core::crypto::internal
