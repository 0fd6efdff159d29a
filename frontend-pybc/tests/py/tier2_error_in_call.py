# A runtime error raised inside a function that a hot loop's trace follows: the
# traceback must name both frames, exactly as without traces.
def ratio(a, b):
    return a // b

def run(n):
    total = 0
    for i in range(n):
        total += ratio(1000, 150 - i)
    return total

print(run(100))
print(run(200))
