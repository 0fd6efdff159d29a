# sys.exit() with no argument (and with 0) ends the program successfully.
import sys
def finish(code):
    print('finishing with', code)
    sys.exit(code)
print('start')
finish(None)
print('not reached')
