# Included by extract_c.pyx: the bytes themselves: identifier bytes, UTF-8 validity, the coding cookie.
# It uses that module's cimports and declarations (Scanner, Token, the enums).

# -- bytes ------------------------------------------------------------------------------------

# Identifier bytes: ASCII letters, '_', digits (not first), and any byte of a UTF-8 sequence
# (the tokenizer decides which of those are letters; ast normalises them).
cdef unsigned char NAME_START[256]
cdef unsigned char NAME_CHAR[256]
for _byte in range(256):
    NAME_START[_byte] = chr(_byte).isascii() and (chr(_byte).isalpha() or _byte == 95) or _byte >= 0x80
    NAME_CHAR[_byte] = NAME_START[_byte] or 48 <= _byte <= 57


cdef inline bint is_name_start(unsigned char c) noexcept nogil:
    return NAME_START[c]


cdef inline bint is_name_char(unsigned char c) noexcept nogil:
    return NAME_CHAR[c]


cdef inline Py_ssize_t name_end(const unsigned char *s, Py_ssize_t i, Py_ssize_t n,
                                bint *nonascii) noexcept nogil:
    """The end of the identifier at s[i]; whether it has a non-ASCII byte. (Locals, not the
    Scanner's fields: a store through it could alias the bytes, so the loop would reload.)"""
    cdef unsigned char bits = 0
    while i < n and NAME_CHAR[s[i]]:
        bits |= s[i]
        i += 1
    nonascii[0] = bits >= 0x80
    return i


cdef inline Py_ssize_t text_end(const unsigned char *s, Py_ssize_t i, Py_ssize_t n,
                                const unsigned char *stop) noexcept nogil:
    """The first byte at or after s[i] that ``stop`` marks, or n."""
    while i < n and not stop[s[i]]:
        i += 1
    return i


cdef inline bint is_digit(unsigned char c) noexcept nogil:
    return c >= b'0' and c <= b'9'


cdef bint valid_utf8(const unsigned char *s, Py_ssize_t n) noexcept nogil:
    """Strict UTF-8, as the tokenizer decodes it: no overlongs, no surrogates."""
    cdef Py_ssize_t i = 0
    cdef unsigned char c, c1
    cdef int more
    cdef uint64_t word
    while i < n:
        # Eight ASCII bytes at a time: most of any source file.
        while i + 8 <= n:
            memcpy(&word, s + i, 8)
            if word & 0x8080808080808080ULL:
                break
            i += 8
        if i >= n:
            break
        c = s[i]
        if c < 0x80:
            i += 1
            continue
        if c >= 0xC2 and c <= 0xDF:
            more = 1
        elif c >= 0xE0 and c <= 0xEF:
            more = 2
        elif c >= 0xF0 and c <= 0xF4:
            more = 3
        else:
            return False
        if i + more >= n:
            return False
        c1 = s[i + 1]
        if c1 < 0x80 or c1 > 0xBF:
            return False
        if (c == 0xE0 and c1 < 0xA0) or (c == 0xED and c1 > 0x9F):
            return False
        if (c == 0xF0 and c1 < 0x90) or (c == 0xF4 and c1 > 0x8F):
            return False
        if more >= 2 and (s[i + 2] < 0x80 or s[i + 2] > 0xBF):
            return False
        if more == 3 and (s[i + 3] < 0x80 or s[i + 3] > 0xBF):
            return False
        i += more + 1
    return True


cdef bint utf8_cookie(const unsigned char *s, Py_ssize_t n, bint bom) noexcept nogil:
    """False when one of the first two lines declares an encoding other than UTF-8.

    Conservative: any `coding[:=]name` on those lines counts, comment line or not."""
    cdef Py_ssize_t i = 0, line_end, k, begin
    cdef int line
    cdef char name[13]
    cdef int length, j
    cdef unsigned char c
    for line in range(2):
        if i >= n:
            return True
        line_end = i
        while line_end < n and s[line_end] != b'\n':
            line_end += 1
        k = i
        while k + 6 < line_end:
            if memcmp(s + k, b"coding", 6) == 0 and (s[k + 6] == b':' or s[k + 6] == b'='):
                begin = k + 7
                while begin < line_end and (s[begin] == b' ' or s[begin] == b'\t'):
                    begin += 1
                length = 0
                while begin + length < line_end:
                    c = s[begin + length]
                    if not (is_name_char(c) and c < 0x80) and c != b'-' and c != b'.':
                        break
                    length += 1
                if length == 0:
                    k += 1
                    continue
                # The tokenizer's get_normal_name: lower case, '_' as '-', the first 12 chars.
                for j in range(12 if length > 12 else length):
                    c = s[begin + j]
                    name[j] = b'-' if c == b'_' else (c + 32 if c >= b'A' and c <= b'Z' else c)
                name[12 if length > 12 else length] = 0
                if length == 5 and memcmp(name, b"utf-8", 5) == 0:
                    return True
                if length > 6 and memcmp(name, b"utf-8-", 6) == 0:
                    return True
                # "utf8" reaches the codec registry: the same decoder, refused with a BOM.
                return length == 4 and memcmp(name, b"utf8", 4) == 0 and not bom
            k += 1
        i = line_end + 1
    return True
