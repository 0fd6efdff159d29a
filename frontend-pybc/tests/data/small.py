# A small module whose compiled form is cut and corrupted byte by byte in the tests.
def add(a, b=2):
    return a + b


total = add(1) * 3.5
label = f"total={total!r}"
