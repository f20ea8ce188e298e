/*
 * freereport.h - what the freereport guest's files share.
 */
#ifndef FREEREPORT_H
#define FREEREPORT_H

#include "skiff.h"

/* hostile_reports: every malformed report refused as documented; 0 when so. */
int hostile_reports(void);

#endif
