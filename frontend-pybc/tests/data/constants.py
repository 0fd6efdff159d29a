# Constants of every kind the compiler puts in co_consts.
big = 2**100
neg_big = -2**70
big_literal = 1267650600228229401496703205376  # 2**100
neg_big_literal = -1180591620717411303424  # -2**70
edge = 2**63
neg_edge = -2**63
small = -5
floats = (0.1, -0.0, 1e308, 1e309, 2.5e-300, 3.141592653589793)
z = 3 + 4j
zz = -1.5j
ellipsis = ...
nothing = None
flags = (True, False)
data = b"\x00\x01binary\xff"
text = "h\u00e9llo w\u00f6rld \u65e5\u672c \U0001F600"
long_text = "The quick brown fox jumps over the lazy dog. " * 8
long_ascii = "abcdefghijklmnopqrstuvwxyz0123456789" * 10
many = (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
    40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
    60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79,
    80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
    100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115,
    116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131,
    132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147,
    148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163,
    164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179,
    180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195,
    196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211,
    212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227,
    228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243,
    244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 259,
    260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275,
    "mixed", 2.5, None, (1, (2, (3, ("deep",)))),
)


def member(x):
    return x in {1, 2, 3}, x not in {"a", "b"}, x in {1208925819614629174706176, 1.5, (1, 2)}


def formats(name, value, width=10):
    return f"{name!r:>{width}} = {value:.3f} ({value!s}) {{literal}}"


def lines(n):
    total = 0
    for i in range(n):
        if (
            i
            % 3
            == 0
        ):
            total += i
    return total


def wide(a):
    return (a.attribute_00.attribute_01.attribute_02.attribute_03.attribute_04.attribute_05.attribute_06.attribute_07.attribute_08.attribute_09.attribute_10.attribute_11.attribute_12.attribute_13.attribute_14.attribute_15.attribute_16.attribute_17.attribute_18.attribute_19.attribute_20.attribute_21.attribute_22.attribute_23)
