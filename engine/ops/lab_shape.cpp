// Shape helpers composed from the differentiable core (reshape, slice, concat,
// expand, permute, matmul) and take (flip): their gradients come with them.
#include <algorithm>
#include <map>
#include <numeric>

#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

Tensor unsqueeze(const Tensor& a, int dim) {
  GL_CHECK(a.defined(), "unsqueeze: input is undefined");
  const int d = normalize_axis(dim, a.dim() + 1, "unsqueeze");
  Shape s = a.shape();
  s.insert(s.begin() + d, 1);
  return reshape(a, s);
}

Tensor squeeze(const Tensor& a, std::optional<int> dim) {
  GL_CHECK(a.defined(), "squeeze: input is undefined");
  Shape s;
  if (dim) {
    if (a.dim() == 0) {
      normalize_axis(*dim, 1, "squeeze");
      return reshape(a, {});
    }
    const int d = normalize_axis(*dim, a.dim(), "squeeze");
    s = a.shape();
    if (s[d] == 1) s.erase(s.begin() + d);
  } else {
    for (auto n : a.shape())
      if (n != 1) s.push_back(n);
  }
  return reshape(a, s);
}

Tensor stack(const std::vector<Tensor>& parts, int dim) {
  GL_CHECK(!parts.empty(), "stack: no tensors given");
  const int d = normalize_axis(dim, parts[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (const auto& p : parts) {
    GL_CHECK(p.defined() && p.shape() == parts[0].shape(), "stack: every tensor needs the shape {}, got {}",
             shape_str(parts[0].shape()), describe(p));
    expanded.push_back(unsqueeze(p, d));
  }
  return concat(expanded, d);
}

std::vector<Tensor> split(const Tensor& a, const std::vector<std::int64_t>& sizes, int dim) {
  GL_CHECK(a.defined() && a.dim() >= 1, "split: needs a tensor with at least one dim, got {}", describe(a));
  const int d = normalize_axis(dim, a.dim(), "split");
  std::int64_t total = 0;
  for (auto s : sizes) {
    GL_CHECK(s >= 0, "split: sizes must be >= 0, got {}", fmt::join(sizes, ", "));
    total += s;
  }
  GL_CHECK(total == a.shape()[d], "split: sizes [{}] add up to {} but dim {} of {} has size {}",
           fmt::join(sizes, ", "), total, d, describe(a), a.shape()[d]);
  std::vector<Tensor> out;
  std::int64_t at = 0;
  for (auto s : sizes) {
    if (is_floating(a.dtype())) {
      out.push_back(slice(a, d, at, at + s));
    } else {  // integer and bool tensors: a gather (no gradient to carry)
      std::vector<double> idx(static_cast<std::size_t>(s));
      for (std::int64_t i = 0; i < s; ++i) idx[i] = static_cast<double>(at + i);
      out.push_back(take(a, d, Tensor::from_vector(idx, {s}, DType::i64, a.device())));
    }
    at += s;
  }
  return out;
}

std::vector<Tensor> split(const Tensor& a, std::int64_t size, int dim) {
  GL_CHECK(size > 0, "split: split_size must be > 0, got {}", size);
  GL_CHECK(a.defined() && a.dim() >= 1, "split: needs a tensor with at least one dim, got {}", describe(a));
  const std::int64_t n = a.shape()[normalize_axis(dim, a.dim(), "split")];
  std::vector<std::int64_t> sizes;
  for (std::int64_t at = 0; at < n; at += size) sizes.push_back(std::min(size, n - at));
  if (sizes.empty()) sizes.push_back(0);
  return split(a, sizes, dim);
}

std::vector<Tensor> chunk(const Tensor& a, std::int64_t chunks, int dim) {
  GL_CHECK(chunks > 0, "chunk: chunks must be > 0, got {}", chunks);
  GL_CHECK(a.defined() && a.dim() >= 1, "chunk: needs a tensor with at least one dim, got {}", describe(a));
  const std::int64_t n = a.shape()[normalize_axis(dim, a.dim(), "chunk")];
  return split(a, std::max<std::int64_t>((n + chunks - 1) / chunks, 1), dim);
}

Tensor flip(const Tensor& a, const std::vector<int>& dims) {
  GL_CHECK(a.defined(), "flip: input is undefined");
  Tensor r = a;
  std::vector<bool> seen(static_cast<std::size_t>(std::max(a.dim(), 1)), false);
  for (int dim : dims) {
    const int d = normalize_axis(dim, a.dim(), "flip");
    GL_CHECK(!seen[d], "flip: dim {} appears more than once in the dims to flip", d);
    seen[d] = true;
    const std::int64_t n = a.shape()[d];
    std::vector<double> rev(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) rev[i] = static_cast<double>(n - 1 - i);
    r = take(r, d, Tensor::from_vector(rev, {n}, DType::i64, a.device()));
  }
  return r;
}

// repeat: a [d0, d1] with reps [r0, r1] is viewed as [1, d0, 1, d1], expanded
// to [r0, d0, r1, d1] and reshaped to [r0*d0, r1*d1] (expand sums the gradient back).
Tensor repeat(const Tensor& a, const std::vector<std::int64_t>& reps) {
  GL_CHECK(a.defined(), "repeat: input is undefined");
  GL_CHECK(static_cast<int>(reps.size()) >= a.dim(),
           "repeat: {} repeats given for {}; give at least one per dim", reps.size(), describe(a));
  Shape padded(reps.size() - a.dim(), 1);
  padded.insert(padded.end(), a.shape().begin(), a.shape().end());
  Shape viewed, expanded, out;
  for (std::size_t i = 0; i < reps.size(); ++i) {
    GL_CHECK(reps[i] >= 0, "repeat: repeats must be >= 0, got {}", fmt::join(reps, ", "));
    viewed.push_back(1);
    viewed.push_back(padded[i]);
    expanded.push_back(reps[i]);
    expanded.push_back(padded[i]);
    out.push_back(reps[i] * padded[i]);
  }
  const Tensor v = reshape(a, viewed);
  return reshape(is_floating(a.dtype()) ? expand(v, expanded) : broadcast_copy(v, expanded), out);
}

Tensor tile(const Tensor& a, std::vector<std::int64_t> reps) {
  GL_CHECK(a.defined(), "tile: input is undefined");
  if (static_cast<int>(reps.size()) < a.dim()) reps.insert(reps.begin(), a.dim() - reps.size(), 1);
  return repeat(a, reps);
}

// F.pad: (lo, hi) pairs from the last dim backwards; blocks of `value` concatenated on each side.
Tensor pad(const Tensor& a, const std::vector<std::int64_t>& pads, double value) {
  GL_CHECK(a.defined(), "pad: input is undefined");
  GL_CHECK(pads.size() % 2 == 0 && static_cast<int>(pads.size() / 2) <= a.dim(),
           "pad: needs (lo, hi) pairs for at most {} dims of {}, got {} numbers", a.dim(), describe(a), pads.size());
  Tensor r = a;
  for (std::size_t k = 0; k < pads.size() / 2; ++k) {
    const int d = a.dim() - 1 - static_cast<int>(k);
    std::int64_t lo = pads[2 * k], hi = pads[2 * k + 1];
    const std::int64_t n = r.shape()[d];
    GL_CHECK(n + std::min<std::int64_t>(lo, 0) + std::min<std::int64_t>(hi, 0) >= 0,
             "pad: cropping ({}, {}) removes more than dim {} of size {}", lo, hi, d, n);
    if (lo < 0 || hi < 0) {
      r = slice(r, d, std::max<std::int64_t>(-lo, 0), n - std::max<std::int64_t>(-hi, 0));
      lo = std::max<std::int64_t>(lo, 0);
      hi = std::max<std::int64_t>(hi, 0);
    }
    std::vector<Tensor> parts;
    Shape s = r.shape();
    if (lo > 0) {
      s[d] = lo;
      parts.push_back(Tensor::full(s, value, r.dtype(), r.device()));
    }
    parts.push_back(r);
    if (hi > 0) {
      s[d] = hi;
      parts.push_back(Tensor::full(s, value, r.dtype(), r.device()));
    }
    if (parts.size() > 1) r = concat(parts, d);
  }
  return r;
}

// numpy's matmul: a 1-D a becomes [1, K] and b [K, 1] (that dim removed after);
// batch dims broadcast; the product runs as one batched gl::matmul.
Tensor matmul_nd(const Tensor& a, const Tensor& b) {
  GL_CHECK(a.defined() && b.defined(), "matmul: an operand is undefined");
  GL_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: 0-d operands ({} and {}) are not matrices; use mul", describe(a),
           describe(b));
  const bool a_vec = a.dim() == 1, b_vec = b.dim() == 1;
  Tensor x = a_vec ? reshape(a, {1, a.shape()[0]}) : a;
  Tensor y = b_vec ? reshape(b, {b.shape()[0], 1}) : b;
  const std::int64_t M = x.shape()[x.dim() - 2], K = x.shape()[x.dim() - 1];
  const std::int64_t K2 = y.shape()[y.dim() - 2], N = y.shape()[y.dim() - 1];
  GL_CHECK(K == K2, "matmul: inner dimensions differ: a is {}, b is {} (need a.shape[-1] == b.shape[-2])",
           shape_str(a.shape()), shape_str(b.shape()));
  const Shape xb(x.shape().begin(), x.shape().end() - 2), yb(y.shape().begin(), y.shape().end() - 2);
  const Shape batch = broadcast_shapes(xb, yb, "matmul");
  Tensor r;
  if (batch.empty()) {
    r = matmul(x, y);
  } else {
    const std::int64_t B = numel(batch);
    Shape xs = batch, ys = batch;
    xs.insert(xs.end(), {M, K});
    ys.insert(ys.end(), {K, N});
    const Tensor xe = xb == batch ? x : expand(x, xs);
    const Tensor ye = yb.empty() ? y : (yb == batch ? y : expand(y, ys));
    r = matmul(reshape(xe, {B, M, K}), yb.empty() ? ye : reshape(ye, {B, K, N}));
    Shape rs = batch;
    rs.insert(rs.end(), {M, N});
    r = reshape(r, rs);
  }
  Shape out(r.shape().begin(), r.shape().end() - 2);
  if (!a_vec) out.push_back(M);
  if (!b_vec) out.push_back(N);
  return reshape(r, out);
}

// einsum: each operand is permuted and reshaped onto all the letters of the
// equation (size 1 where it lacks one), the operands multiply with
// broadcasting, and the letters missing from the output are summed. A letter
// repeated inside one operand (a diagonal, "ii->i") is renamed and the
// product masked by an identity matrix over the two copies.
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  GL_CHECK(eq.find("...") == std::string::npos, "einsum: '{}': ellipses are not supported; name every dim", equation);
  const auto arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (std::size_t at = 0;;) {
    const auto comma = lhs.find(',', at);
    terms.push_back(lhs.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  GL_CHECK(terms.size() == operands.size() && !operands.empty(), "einsum: '{}' names {} operands but {} were given",
           equation, terms.size(), operands.size());
  std::string out;
  if (arrow != std::string::npos) {
    out = eq.substr(arrow + 2);
  } else {  // implicit output: the letters seen once, sorted
    std::map<char, int> count;
    for (const auto& t : terms)
      for (char c : t) ++count[c];
    for (auto [c, k] : count)
      if (k == 1) out += c;
  }
  // Repeated letters inside a term get fresh names (upper-case helpers never clash with a-z).
  std::vector<std::pair<char, char>> diagonals;  // (letter, its copy)
  char fresh = 'A';
  for (auto& t : terms)
    for (std::size_t i = 0; i < t.size(); ++i)
      if (t.find(t[i]) < i) {
        while (eq.find(fresh) != std::string::npos || fresh == 'Z' + 1) ++fresh;
        diagonals.push_back({t[i], fresh});
        t[i] = fresh++;
      }
  std::string letters = out;
  for (const auto& t : terms)
    for (char c : t)
      if (letters.find(c) == std::string::npos) letters += c;
  std::map<char, std::int64_t> size;
  std::vector<Tensor> aligned;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const std::string& t = terms[k];
    const Tensor& x = operands[k];
    GL_CHECK(x.defined() && static_cast<int>(t.size()) == x.dim(), "einsum: operand {} is {} but '{}' names {} dims",
             k, describe(x), t, t.size());
    std::vector<int> order;
    Shape s;
    for (char c : letters) {
      const auto pos = t.find(c);
      if (pos == std::string::npos) {
        s.push_back(1);
        continue;
      }
      order.push_back(static_cast<int>(pos));
      const std::int64_t n = x.shape()[pos];
      GL_CHECK(!size.count(c) || size[c] == n, "einsum: '{}' has size {} in one operand and {} in another ('{}')", c,
               size[c], n, equation);
      size[c] = n;
      s.push_back(n);
    }
    aligned.push_back(reshape(permute(x, order), s));
  }
  Tensor prod = aligned[0];
  for (std::size_t k = 1; k < aligned.size(); ++k) prod = mul(prod, aligned[k]);
  for (auto [c, copy] : diagonals) {  // keep the entries where both copies agree
    GL_CHECK(size[c] == size[copy], "einsum: the repeated '{}' of '{}' has sizes {} and {}", c, equation, size[c],
             size[copy]);
    const std::int64_t n = size[c];
    std::vector<double> eye(static_cast<std::size_t>(n * n), 0.0);
    for (std::int64_t i = 0; i < n; ++i) eye[i * n + i] = 1.0;
    Shape s(letters.size(), 1);
    s[letters.find(c)] = n;
    s[letters.find(copy)] = n;
    prod = mul(prod, reshape(Tensor::from_vector(eye, {n, n}, prod.dtype(), prod.device()), s));
  }
  std::vector<int> summed;
  for (std::size_t i = out.size(); i < letters.size(); ++i) summed.push_back(static_cast<int>(i));
  if (!summed.empty()) prod = sum(prod, summed, false);
  Shape final_shape;
  for (char c : out) {
    GL_CHECK(size.count(c), "einsum: output letter '{}' does not appear in the inputs of '{}'", c, equation);
    final_shape.push_back(size[c]);
  }
  return reshape(prod, final_shape);
}

}  // namespace gl
