import {viewNames, type ViewName} from '../components/footer.js';

/** Where the user is: the view, the highlighted session (by id, so it survives re-sorting), an open detail, help. */
export type Navigation = {view: ViewName; selectedId: string | undefined; detailId: string | undefined; isHelp: boolean; limitIndex: number; isTraces: boolean; auditFilter: number};

export type NavigationAction =
	| {type: 'view'; view: ViewName}
	| {type: 'next-view'; step: 1 | -1}
	| {type: 'move'; step: 1 | -1; ids: readonly string[]}
	| {type: 'open'; ids: readonly string[]}
	| {type: 'back'}
	| {type: 'help'}
	| {type: 'traces'}
	| {type: 'next-limit'; count: number}
	| {type: 'next-audit-filter'; count: number};

export const initialNavigation: Navigation = {view: 'dashboard', selectedId: undefined, detailId: undefined, isHelp: false, limitIndex: 0, isTraces: false, auditFilter: 0};

/** The index of the highlighted session in `ids`: the selected one, else the first. */
export const selectedIndex = (navigation: Navigation, ids: readonly string[]): number => {
	if (ids.length === 0) return -1;
	const index = navigation.selectedId === undefined ? -1 : ids.indexOf(navigation.selectedId);
	return Math.max(0, index);
};

/** Pure: the next navigation state for a key's action. */
export const navigate = (state: Navigation, action: NavigationAction): Navigation => {
	switch (action.type) {
		case 'view': {
			return {...state, view: action.view, detailId: undefined, isHelp: false, isTraces: false};
		}

		case 'next-view': {
			const index = viewNames.indexOf(state.view);
			return {...state, view: viewNames[(index + action.step + viewNames.length) % viewNames.length]!, detailId: undefined, isHelp: false, isTraces: false};
		}

		case 'move': {
			if (action.ids.length === 0) return state;
			const index = Math.min(action.ids.length - 1, Math.max(0, selectedIndex(state, action.ids) + action.step));
			return {...state, selectedId: action.ids[index]};
		}

		case 'open': {
			const index = selectedIndex(state, action.ids);
			return index < 0 ? state : {...state, selectedId: action.ids[index], detailId: action.ids[index]};
		}

		case 'back': {
			// From a session's traces back to its detail, from the detail back to the list.
			if (state.isTraces) return {...state, isTraces: false, isHelp: false};
			return {...state, detailId: undefined, isHelp: false};
		}

		case 'traces': {
			return state.detailId === undefined ? state : {...state, isTraces: !state.isTraces};
		}

		case 'next-audit-filter': {
			return {...state, auditFilter: (state.auditFilter + 1) % Math.max(1, action.count)};
		}

		case 'help': {
			return {...state, isHelp: !state.isHelp};
		}

		case 'next-limit': {
			return {...state, limitIndex: action.count === 0 ? 0 : (state.limitIndex + 1) % action.count};
		}
	}
};
