import type { Place } from './access.js';

// Where an object sits, built from the object itself. Structural types, so that access/
// stays below the features whose entities it describes.
export function placeOfNren(n: { id: number }): Place {
  return { nrenId: n.id };
}

export function placeOfOrganisation(o: { id: number; nrenId: number }): Place {
  return { nrenId: o.nrenId, organisationId: o.id };
}

export function placeOfDepartment(d: {
  id: number;
  organisationId: number;
  organisation: { nrenId: number };
}): Place {
  return { nrenId: d.organisation.nrenId, organisationId: d.organisationId, departmentId: d.id };
}

// A domain belongs to its organisation and is visible to the departments it is delegated to.
export function placeOfDomain(
  organisation: { id: number; nrenId: number },
  delegatedDepartmentIds: number[],
): Place {
  return { ...placeOfOrganisation(organisation), delegatedDepartmentIds };
}
